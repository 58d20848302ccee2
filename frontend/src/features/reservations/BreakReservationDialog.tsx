import { zodResolver } from "@hookform/resolvers/zod";
import { TextField, Typography } from "@mui/material";
import { useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import { breakReservation, type Reservation, reservationQueries } from "./queries";
import { reservationLabel } from "./reservationText";

const schema = z.object({
  reason: z.string().trim().min(1, "Say why").max(500, "Use at most 500 characters"),
});
type Values = z.infer<typeof schema>;

interface BreakReservationDialogProps {
  reservation: Reservation;
  onClose: () => void;
  onBroken: (reservation: Reservation) => void;
}

/** End someone else's reservation now (admins): the reason is logged and the holder told. */
export default function BreakReservationDialog({
  reservation,
  onClose,
  onBroken,
}: BreakReservationDialogProps) {
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { reason: "" } });
  const server = useServerErrors(form, sameFields("reason"));
  const breakIt = useInvalidatingMutation({
    mutationFn: (reason: string) => breakReservation(reservation.id, reason),
    invalidates: reservationQueries.all(),
    onSuccess: onBroken,
    onError: server.report,
  });
  const submit = form.handleSubmit((valid) => {
    server.clear();
    breakIt.mutate(valid.reason);
  });
  return (
    <FormDialog
      title={`Break the reservation of ${reservation.environmentName}`}
      submitLabel="Break reservation"
      submitColor="error"
      onSubmit={submit}
      onClose={onClose}
      pending={breakIt.isPending}
      error={server.formError}
    >
      <Typography variant="body2">{reservationLabel(reservation)}</Typography>
      <TextField
        label="Reason"
        autoComplete="off"
        autoFocus
        fullWidth
        multiline
        minRows={2}
        {...fieldProps(form, "reason", `Logged, and sent to ${reservation.holder.username}`)}
      />
    </FormDialog>
  );
}
