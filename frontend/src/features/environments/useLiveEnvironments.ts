import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import type { ServerMessage } from "../../lib/realtime/protocol";
import { useRealtimeBatch } from "../../lib/realtime/useRealtimeBatch";
import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { useRealtimeResync } from "../../lib/realtime/useRealtimeResync";
import {
  applyEnvironmentUpdate,
  applyStatusUpdate,
  isEnvironmentUpdate,
  isStatusUpdate,
  type Refetch,
  refetchStale,
} from "./liveUpdates";
import { environmentQueries } from "./queries";

// Frames come in bursts (an import, a network blip flipping many checks): one refetch each
// this often at most, instead of one per frame.
const REFETCH_BATCH_MS = 300;
// Status updates (every check of the environments on screen) are applied together this often:
// one re-render of the page for all of them rather than one per check.
const STATUS_BATCH_MS = 250;

/**
 * Keep every cached environment, page and count up to date from the live connection's
 * environment_update and status_update frames (no polling); refetch all of it after a
 * reconnect, when frames may have been missed.
 */
export function useLiveEnvironments(): void {
  const queryClient = useQueryClient();
  const pending = useRef<Refetch[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const later = (refetch: Refetch) => {
    pending.current.push(refetch);
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const batch = pending.current;
      pending.current = [];
      refetchStale(queryClient, batch);
    }, REFETCH_BATCH_MS);
  };

  useRealtimeMessage("environment_update", (message: ServerMessage) => {
    if (isEnvironmentUpdate(message.payload)) {
      later(applyEnvironmentUpdate(queryClient, message.payload));
    }
  });
  useRealtimeBatch(
    "status_update",
    (messages: ServerMessage[]) => {
      for (const message of messages) {
        if (isStatusUpdate(message.payload)) {
          later(applyStatusUpdate(queryClient, message.payload));
        }
      }
    },
    STATUS_BATCH_MS,
  );
  useRealtimeResync(() => {
    void queryClient.invalidateQueries({ queryKey: environmentQueries.all() });
  });
}
