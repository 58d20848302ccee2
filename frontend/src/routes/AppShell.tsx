import { useQueryClient } from "@tanstack/react-query";

import AppLayout from "../components/AppLayout";
import NotificationsBell from "../features/activity/NotificationsBell";
import { useLiveActivity } from "../features/activity/useLiveActivity";
import UserMenu from "../features/auth/UserMenu";
import { applyActiveOperation, refetchReserved } from "../features/environments/liveUpdates";
import { useLiveEnvironments } from "../features/environments/useLiveEnvironments";
import { activeOperationOf } from "../features/operations/liveOperations";
import { useLiveOperations } from "../features/operations/useLiveOperations";
import { useLivePromotions } from "../features/promotions/useLivePromotions";
import { useLiveReservations } from "../features/reservations/useLiveReservations";

/**
 * The signed-in app around every page: the layout with the top bar's notifications and user
 * menu, and the live updates of the caches every page reads (under the RealtimeProvider of
 * routes.tsx). An operation's progress also marks its environment busy or free; a change of
 * a reservation has its environment read again (current and next reservation); a promotion's
 * change updates its view, the promotion lists and its pipeline's board.
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
  useLiveReservations((reservation) => refetchReserved(queryClient, reservation.environmentId));
  useLivePromotions();
  return <AppLayout notifications={<NotificationsBell />} userMenu={<UserMenu />} />;
}
