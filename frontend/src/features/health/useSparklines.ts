import { useQuery, useQueryClient } from "@tanstack/react-query";

import type { ServerMessage } from "../../lib/realtime/protocol";
import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import {
  healthQueries,
  SPARKLINE_BATCH,
  SPARKLINE_BUCKET_MS,
  SPARKLINE_WINDOW_MS,
  type Sparklines,
} from "./queries";
import { appendCheck } from "./sparklinePoints";
import type { HealthStatus } from "./types";

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
  useRealtimeMessage("status_update", (message: ServerMessage) => {
    if (!isStatusFrame(message.payload)) return;
    const { environmentId, status } = message.payload;
    queryClient.setQueriesData<Sparklines>(
      { queryKey: healthQueries.sparklinesAll() },
      (current) =>
        current && environmentId in current
          ? {
              ...current,
              [environmentId]: appendCheck(
                current[environmentId] ?? [],
                status,
                SPARKLINE_BUCKET_MS,
                SPARKLINE_WINDOW_MS,
              ),
            }
          : current,
    );
  });
  return sparklines.data;
}
