import { useSyncExternalStore } from "react";

import { getSessionState, type SessionState, subscribeSession } from "./session";

/** The signed-in session (or null) and why there is none, kept up to date. */
export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSessionState);
}
