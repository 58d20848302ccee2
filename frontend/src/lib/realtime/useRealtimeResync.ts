import { useContext, useEffect, useRef } from "react";

import { RealtimeContext } from "./RealtimeContext";

/**
 * Call handler each time the connection is back after a loss (a reconnect, or a closure for
 * being too slow): whatever was pushed meanwhile is missed, so refetch it.
 */
export function useRealtimeResync(handler: () => void): void {
  const connection = useContext(RealtimeContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!connection) return undefined;
    return connection.onResync(() => latest.current());
  }, [connection]);
}
