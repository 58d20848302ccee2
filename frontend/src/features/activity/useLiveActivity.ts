import { useQueryClient } from "@tanstack/react-query";

import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { useRealtimeResync } from "../../lib/realtime/useRealtimeResync";
import { useRealtimeSubscription } from "../../lib/realtime/useRealtimeSubscription";
import { useSession } from "../../lib/useSession";
import { logEntryOf } from "./filters";
import { LATEST_COUNT, logQueries, UNREAD_CAP } from "./queries";

const EVERY_LOG = { logs: true } as const;

/**
 * Keep the notifications' unread count and latest entries live: every new entry that needs a
 * person (the server flags it `attention`, by the one list of rules it counts with) is listed,
 * and one more unread when someone else made it; everything else is for the Activity page.
 * After a reconnect, refetch every log view, since entries may have been missed.
 */
export function useLiveActivity(): void {
  const queryClient = useQueryClient();
  const { session } = useSession();
  const me = session?.user.id ?? null;
  useRealtimeSubscription(EVERY_LOG);

  useRealtimeMessage("log", (message) => {
    const entry = logEntryOf(message.payload);
    if (entry === null || !entry.attention) return;
    queryClient.setQueryData(logQueries.latest().queryKey, (latest) =>
      latest && !latest.some((e) => e.id === entry.id)
        ? [entry, ...latest].slice(0, LATEST_COUNT)
        : latest,
    );
    if (entry.userId === me) return;
    queryClient.setQueryData(logQueries.unread().queryKey, (unread) =>
      unread ? { ...unread, count: Math.min(unread.count + 1, UNREAD_CAP) } : unread,
    );
  });
  useRealtimeResync(() => {
    void queryClient.invalidateQueries({ queryKey: logQueries.all() });
  });
}
