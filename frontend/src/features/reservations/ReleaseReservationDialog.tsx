import ConfirmDialog from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/serverErrors";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { type Reservation, releaseReservation, reservationQueries } from "./queries";
import { formatMoment } from "./reservationText";

interface ReleaseReservationDialogProps {
  reservation: Reservation;
  onClose: () => void;
  onReleased: (reservation: Reservation) => void;
}

/** Give an environment back before the reservation's end. */
export default function ReleaseReservationDialog({
  reservation,
  onClose,
  onReleased,
}: ReleaseReservationDialogProps) {
  const release = useInvalidatingMutation({
    mutationFn: () => releaseReservation(reservation.id),
    invalidates: reservationQueries.all(),
    onSuccess: onReleased,
  });
  return (
    <ConfirmDialog
      open
      title={`Release ${reservation.environmentName}?`}
      confirmLabel="Release"
      onConfirm={() => release.mutate()}
      onClose={onClose}
      pending={release.isPending}
      error={release.isError ? errorMessage(release.error) : null}
    >
      It is reserved until {formatMoment(reservation.end)}; once released, anyone may reserve it.
    </ConfirmDialog>
  );
}
