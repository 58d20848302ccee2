import { Alert } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";

import Page from "../components/Page";
import { refetchReserved } from "../features/environments/liveUpdates";
import { environmentQueries } from "../features/environments/queries";
import ReservationsView from "../features/reservations/ReservationsView";
import { errorMessage } from "../lib/serverErrors";
import { useSession } from "../lib/useSession";

// The timeline's rows: the API's largest page of environments, by name.
const ROWS = { page: 1, limit: 200, q: "", tag: null, status: null, sort: "name" } as const;

/** Reservations: who holds which environment when, on a day or week timeline. */
export default function ReservationsPage() {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const environments = useQuery(environmentQueries.list(ROWS));
  const rows = (environments.data?.environments ?? []).filter(
    (environment) => environment.reservationPolicy !== "none",
  );
  return (
    <Page title="Reservations">
      {environments.isError && <Alert severity="error">{errorMessage(environments.error)}</Alert>}
      {session && (
        <ReservationsView
          environments={rows}
          user={{ id: session.user.id, role: session.user.role }}
          onChange={(reservation) => refetchReserved(queryClient, reservation.environmentId)}
        />
      )}
    </Page>
  );
}
