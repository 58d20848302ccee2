import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import type { ServerMessage } from "../../lib/realtime/protocol";
import { useRealtimeBatch } from "../../lib/realtime/useRealtimeBatch";
import {
  healthQueries,
  SPARKLINE_BATCH,
  SPARKLINE_BUCKET_MS,
  SPARKLINE_WINDOW_MS,
  type Sparklines,
} from "./queries";
import { appendCheck } from "./sparklinePoints";
import { highestAverage, publishSharedMax } from "./sparklineScale";
import type { HealthStatus } from "./types";

// Live checks are added to the sparklines together this often (one re-render for all).
const SPARKLINE_BATCH_MS = 250;

function isStatusFrame(
  payload: unknown,
): payload is { environmentId: string; status: HealthStatus } {
  if (typeof payload !== "object" || payload === null) return false;
  const { environmentId, status } = payload as Record<string, unknown>;
  return typeof environmentId === "string" && typeof status === "object" && status !== null;
}

/**
 * The last hour of these environments (one page of cards: one request), refreshed each
 * minute, and in between extended by every status update the live connection brings.
 */
export function useSparklines(ids: string[]): Sparklines | undefined {
  const queryClient = useQueryClient();
  const batch = ids.slice(0, SPARKLINE_BATCH);
  const sparklines = useQuery(healthQueries.sparklines(batch));
  // The checks of a quarter second together: one new object, one re-render, for all of them.
  useRealtimeBatch(
    "status_update",
    (messages: ServerMessage[]) => {
      const checks = messages.map((m) => m.payload).filter(isStatusFrame);
      if (checks.length === 0) return;
      queryClient.setQueriesData<Sparklines>(
        { queryKey: healthQueries.sparklinesAll() },
        (current) => {
          if (!current) return current;
          let next = current;
          for (const { environmentId, status } of checks) {
            if (!(environmentId in next)) continue;
            if (next === current) next = { ...current };
            next[environmentId] = appendCheck(
              next[environmentId] ?? [],
              status,
              SPARKLINE_BUCKET_MS,
              SPARKLINE_WINDOW_MS,
            );
          }
          return next;
        },
      );
    },
    SPARKLINE_BATCH_MS,
  );
  // The top of the cards' shared scale, when the reader chooses one.
  const highest = highestAverage(sparklines.data);
  useEffect(() => publishSharedMax(highest), [highest]);
  return sparklines.data;
}
