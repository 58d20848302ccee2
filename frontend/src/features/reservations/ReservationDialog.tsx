import { zodResolver } from "@hookform/resolvers/zod";
import { MenuItem, TextField } from "@mui/material";
import { Controller, useForm, useWatch } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import {
  createReservation,
  extendReservation,
  type Reservation,
  type ReservationCreate,
  reservationQueries,
} from "./queries";
import { formatMoment } from "./reservationText";
import {
  endAfter,
  fromLocalInput,
  type Length,
  LENGTH_LABELS,
  LENGTHS,
  toLocalInput,
} from "./reservationTimes";

const MAX_PURPOSE = 200;

/** What the form asks for; the purpose is only asked when reserving, not when extending. */
function schemaFor(extending: boolean) {
  return z
    .object({
      purpose: z.string().trim().max(MAX_PURPOSE, `Use at most ${MAX_PURPOSE} characters`),
      length: z.enum(LENGTHS),
      end: z.string(),
    })
    .superRefine((values, ctx) => {
      if (!extending && values.purpose === "") {
        ctx.addIssue({ code: "custom", path: ["purpose"], message: "Say what it is for" });
      }
      if (values.length === "custom" && !fromLocalInput(values.end)) {
        ctx.addIssue({ code: "custom", path: ["end"], message: "Enter when it ends" });
      }
    });
}

type Values = z.infer<ReturnType<typeof schemaFor>>;

const SERVER_FIELDS = sameFields("purpose", "end");

/** Where the length counts from: an extension from the current end, else the start or now. */
function startOf(reservation: Reservation | null, start: Date | null): Date {
  return reservation ? new Date(reservation.end) : (start ?? new Date());
}

interface ReservationDialogProps {
  environment: { id: string; name: string };
  /** The reservation to extend; none to make a new one. */
  reservation?: Reservation | null;
  /** When the new reservation starts (a slot of the timeline); now when not given. */
  start?: Date | null;
  onClose: () => void;
  onSaved: (reservation: Reservation) => void;
}

/**
 * Reserve an environment (from now or from a chosen start) for a preset length or until a
 * time, or extend a reservation; the server's refusal (someone else holds it) shows inline.
 */
export default function ReservationDialog({
  environment,
  reservation = null,
  start = null,
  onClose,
  onSaved,
}: ReservationDialogProps) {
  const extending = reservation !== null;
  const initialLength: Length = extending ? "1h" : "2h";
  const form = useForm<Values>({
    resolver: zodResolver(schemaFor(extending)),
    defaultValues: {
      purpose: "",
      length: initialLength,
      end: toLocalInput(endAfter(startOf(reservation, start), initialLength)!),
    },
  });
  const length = useWatch({ control: form.control, name: "length" });
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useInvalidatingMutation({
    mutationFn: (body: ReservationCreate & { end: string }) =>
      reservation
        ? extendReservation(reservation.id, body.end)
        : createReservation(environment.id, body),
    invalidates: reservationQueries.all(),
    onSuccess: onSaved,
    onError: server.report,
  });

  const submit = form.handleSubmit((valid) => {
    server.clear();
    // An extension counts from the current end; a new reservation from its start or now.
    const from = startOf(reservation, start);
    const end = endAfter(from, valid.length as Length) ?? fromLocalInput(valid.end)!;
    if (end <= from) {
      const message = reservation
        ? `Pick a time after the current end (${formatMoment(reservation.end)})`
        : "The end must be after the start";
      form.setError("end", { type: "validate", message }, { shouldFocus: true });
      return;
    }
    save.mutate({
      purpose: valid.purpose,
      ...(start ? { start: start.toISOString() } : {}),
      end: end.toISOString(),
    });
  });

  const title = extending
    ? `Extend the reservation of ${environment.name}`
    : `Reserve ${environment.name}`;
  return (
    <FormDialog
      title={title}
      submitLabel={extending ? "Extend" : "Reserve"}
      onSubmit={submit}
      onClose={onClose}
      pending={save.isPending}
      error={server.formError}
    >
      {reservation && (
        <TextField
          label="Reserved until"
          value={formatMoment(reservation.end)}
          slotProps={{ htmlInput: { readOnly: true } }}
        />
      )}
      {start && (
        <TextField
          label="Starts"
          value={formatMoment(start.toISOString())}
          slotProps={{ htmlInput: { readOnly: true } }}
        />
      )}
      {!extending && (
        <TextField
          label="Purpose"
          autoComplete="off"
          autoFocus
          fullWidth
          {...fieldProps(form, "purpose", "What it is for, such as PR 123")}
        />
      )}
      <Controller
        control={form.control}
        name="length"
        render={({ field: { ref, ...field } }) => (
          <TextField select label={extending ? "Extend by" : "For"} inputRef={ref} {...field}>
            {LENGTHS.map((option) => (
              <MenuItem key={option} value={option}>
                {LENGTH_LABELS[option]}
              </MenuItem>
            ))}
          </TextField>
        )}
      />
      {length === "custom" && (
        <TextField
          type="datetime-local"
          label="Ends"
          fullWidth
          slotProps={{ inputLabel: { shrink: true } }}
          {...fieldProps(
            form,
            "end",
            `Your time (${Intl.DateTimeFormat().resolvedOptions().timeZone})`,
          )}
        />
      )}
    </FormDialog>
  );
}
