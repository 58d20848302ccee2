import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Navigate, Outlet, useLocation } from "react-router";

import CenteredProgress from "../../components/CenteredProgress";
import { useSession } from "../../lib/useSession";
import { authQueries } from "./queries";

/**
 * Where the app starts: the setup page while no admin exists, else the page asked for (whose
 * RequireSession sends to the login page when no one is signed in). Forgets the cached data
 * of a session when it ends, so the next person to sign in never sees it.
 */
export default function StartGate() {
  const { pathname } = useLocation();
  const { session } = useSession();
  const queryClient = useQueryClient();
  // A session exists only once setup is done: then there is nothing to ask (and no spinner).
  const setup = useQuery({ ...authQueries.setupStatus(), enabled: !session });

  useEffect(() => {
    if (session) return;
    const [setupKey] = authQueries.setupStatus().queryKey;
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== setupKey });
  }, [session, queryClient]);

  if (session) return pathname === "/setup" ? <Navigate to="/" replace /> : <Outlet />;
  if (setup.isPending) return <CenteredProgress label="Loading Envdeck" />;
  // When the server cannot say (it is down), carry on: each page shows its own error.
  const needsSetup = setup.data?.needsSetup === true;
  if (needsSetup && pathname !== "/setup") return <Navigate to="/setup" replace />;
  if (!needsSetup && pathname === "/setup") return <Navigate to="/login" replace />;
  return <Outlet />;
}
