import { type ReactNode, useEffect, useState } from "react";

import { endSession } from "../session";
import { useSession } from "../useSession";
import { realtimeUrl } from "./protocol";
import { RealtimeConnection } from "./RealtimeConnection";
import { RealtimeContext } from "./RealtimeContext";

/**
 * One WebSocket per signed-in session, shared by everything under it. A token the server
 * refuses ends the session, the same way a 401 from the API does.
 */
export default function RealtimeProvider({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const token = session?.token ?? null;
  const [connection] = useState(
    () => new RealtimeConnection({ url: realtimeUrl(), onAuthFailed: endSession }),
  );

  useEffect(() => {
    if (token === null) return undefined;
    connection.start(token);
    return () => connection.stop();
  }, [connection, token]);

  return <RealtimeContext.Provider value={connection}>{children}</RealtimeContext.Provider>;
}
