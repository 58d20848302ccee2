import { useEffect, useRef } from "react";

import type { ServerMessage } from "./protocol";
import { useRealtimeMessage } from "./useRealtimeMessage";

/**
 * Call apply with the frames of this type received in the last `everyMs`, at most once per
 * period (the latest apply each time), instead of once per frame: a fleet under health checks
 * sends tens of status updates a second, and each application re-renders what shows them.
 */
export function useRealtimeBatch(
  type: string,
  apply: (messages: ServerMessage[]) => void,
  everyMs: number,
): void {
  const latest = useRef(apply);
  const pending = useRef<ServerMessage[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    latest.current = apply;
  });
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
      pending.current = [];
    },
    [],
  );
  useRealtimeMessage(type, (message) => {
    pending.current.push(message);
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const batch = pending.current;
      pending.current = [];
      latest.current(batch);
    }, everyMs);
  });
}
