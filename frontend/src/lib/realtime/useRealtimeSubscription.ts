import { useContext, useEffect } from "react";

import type { Topics } from "./protocol";
import { RealtimeContext } from "./RealtimeContext";

/** Ask the server for these topics while mounted (nothing when topics is null). */
export function useRealtimeSubscription(topics: Topics | null): void {
  const connection = useContext(RealtimeContext);
  // By value: a new object with the same topics is the same subscription.
  const key = topics === null ? null : JSON.stringify(topics);
  useEffect(() => {
    if (!connection || key === null) return undefined;
    return connection.subscribe(JSON.parse(key) as Topics);
  }, [connection, key]);
}
