import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { useRealtimeSubscription } from "../../lib/realtime/useRealtimeSubscription";
import { logEntryOf, matchesFilters } from "./filters";
import { type LogListParams, prependEntry } from "./queries";

/**
 * While enabled, put each new entry that the filters match at the top of the first page as it
 * is recorded; return the ids of those that arrived so (to set them apart).
 */
export function useLiveTail(params: LogListParams, enabled: boolean): ReadonlySet<string> {
  const queryClient = useQueryClient();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(() => new Set());
  const { scope } = params;
  useRealtimeSubscription(
    !enabled ? null : scope === null ? { logs: true } : { environments: [scope] },
  );

  // New filters, a new page or the tail turned off: what is on screen is all the server's.
  const key = JSON.stringify(params);
  useEffect(() => setFresh(new Set()), [key, enabled]);

  useRealtimeMessage("log", (message) => {
    const entry = logEntryOf(message.payload);
    if (!enabled || entry === null) return;
    if (scope !== null && entry.environmentId !== scope) return;
    if (!matchesFilters(entry, params.filters)) return;
    if (prependEntry(queryClient, params, entry)) {
      setFresh((ids) => new Set(ids).add(entry.id));
    }
  });
  return fresh;
}
