import { type ReactNode, useEffect, useRef } from "react";
import { Navigate, useLocation } from "react-router";

import { endSession } from "../../lib/session";
import { useSession } from "../../lib/useSession";
import type { LoginLocationState } from "./returnPath";

// setTimeout's longest delay (~24.8 days); a session never lasts that long, but be safe.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Its children for a signed-in user; the login page (remembering this page) otherwise. */
export default function RequireSession({ children }: { children: ReactNode }) {
  const { session, notice } = useSession();
  const location = useLocation();
  // Tells "signed out on this page" from "opened this page with no session".
  const hadSession = useRef(false);

  useEffect(() => {
    if (session) hadSession.current = true;
  }, [session]);

  // End the session when its token expires, even if no request is made to find out.
  useEffect(() => {
    if (!session) return undefined;
    const left = Math.min(Math.max(Date.parse(session.expiresAt) - Date.now(), 0), MAX_DELAY_MS);
    const timer = setTimeout(() => endSession(session.token), left);
    return () => clearTimeout(timer);
  }, [session]);

  if (!session) {
    // Whoever signs in after "Sign out" starts afresh; after an expiry, or when a page was
    // opened without a session, they come back to it.
    const state: LoginLocationState =
      notice === "signedOut" && hadSession.current
        ? {}
        : { from: `${location.pathname}${location.search}${location.hash}` };
    return <Navigate to="/login" replace state={state} />;
  }
  return children;
}
