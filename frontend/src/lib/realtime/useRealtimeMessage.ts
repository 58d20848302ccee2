import { useContext, useEffect, useRef } from "react";

import type { ServerMessage } from "./protocol";
import { RealtimeContext } from "./RealtimeContext";

/** Call handler with every frame of this type while mounted (the latest handler each time). */
export function useRealtimeMessage(type: string, handler: (message: ServerMessage) => void): void {
  const connection = useContext(RealtimeContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!connection) return undefined;
    return connection.on(type, (message) => latest.current(message));
  }, [connection, type]);
}
