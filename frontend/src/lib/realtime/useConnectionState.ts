import { useContext, useSyncExternalStore } from "react";

import type { ConnectionState } from "./RealtimeConnection";
import { RealtimeContext } from "./RealtimeContext";

const NO_CONNECTION: ConnectionState = { status: "offline", failures: 0 };
const noop = () => () => {};

/** The live connection's state, kept up to date. */
export function useConnectionState(): ConnectionState {
  const connection = useContext(RealtimeContext);
  return useSyncExternalStore(
    connection?.subscribeState ?? noop,
    connection?.getState ?? (() => NO_CONNECTION),
  );
}
