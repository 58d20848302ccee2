import { useQueryClient } from "@tanstack/react-query";

import AppLayout from "../components/AppLayout";
import NotificationsBell from "../features/activity/NotificationsBell";
import { useLiveActivity } from "../features/activity/useLiveActivity";
import UserMenu from "../features/auth/UserMenu";
import { applyActiveOperation } from "../features/environments/liveUpdates";
import { useLiveEnvironments } from "../features/environments/useLiveEnvironments";
import { activeOperationOf } from "../features/operations/liveOperations";
import { useLiveOperations } from "../features/operations/useLiveOperations";

/**
 * The signed-in app around every page: the layout with the top bar's notifications and user
 * menu, and the live updates of the caches every page reads (under the RealtimeProvider of
 * routes.tsx). An operation's progress also marks its environment busy or free.
 */
export default function AppShell() {
  const queryClient = useQueryClient();
  useLiveEnvironments();
  useLiveActivity();
  useLiveOperations((operation) =>
    applyActiveOperation(
      queryClient,
      operation.environmentId,
      operation.id,
      activeOperationOf(operation),
    ),
  );
  return <AppLayout notifications={<NotificationsBell />} userMenu={<UserMenu />} />;
}
