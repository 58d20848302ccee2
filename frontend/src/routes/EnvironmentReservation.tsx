import { useQueryClient } from "@tanstack/react-query";

import { refetchReserved } from "../features/environments/liveUpdates";
import ReservationControl, {
  type ReservableEnvironment,
} from "../features/reservations/ReservationControl";

interface EnvironmentReservationProps {
  environment: ReservableEnvironment;
  compact?: boolean;
}

/**
 * An environment's reservation and its reserve / extend / release / break buttons; what they
 * change is read again at once (the live update follows for everyone else).
 */
export default function EnvironmentReservation(props: EnvironmentReservationProps) {
  const queryClient = useQueryClient();
  return (
    <ReservationControl
      {...props}
      onChange={(reservation) => refetchReserved(queryClient, reservation.environmentId)}
    />
  );
}
