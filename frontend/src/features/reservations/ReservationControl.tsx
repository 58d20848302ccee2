import EventAvailableIcon from "@mui/icons-material/EventAvailable";
import EventBusyIcon from "@mui/icons-material/EventBusy";
import { Box, Button, Stack, Typography } from "@mui/material";
import { useState } from "react";

import NoticeSnackbar from "../../components/NoticeSnackbar";
import { hasRole } from "../../lib/roles";
import { useNow } from "../../lib/useNow";
import { useSession } from "../../lib/useSession";
import BreakReservationDialog from "./BreakReservationDialog";
import type { EnvironmentReservations, Reservation, ReservationPolicy } from "./queries";
import ReleaseReservationDialog from "./ReleaseReservationDialog";
import ReservationDialog from "./ReservationDialog";
import { nextLabel, reservationLabel } from "./reservationText";

/** What this control reads of an environment (its list and detail answers have it). */
export interface ReservableEnvironment {
  id: string;
  name: string;
  reservationPolicy?: ReservationPolicy;
  reservations?: EnvironmentReservations | null;
}

type OpenDialog = "reserve" | "extend" | "release" | "break" | null;

interface ReservationControlProps {
  environment: ReservableEnvironment;
  /** Smaller buttons, for a card. */
  compact?: boolean;
  /** Told of every reservation made, extended, released or broken here. */
  onChange?: (reservation: Reservation) => void;
}

/**
 * "Reserved by alice until 17:00 · PR 123" or "Free", with what the reader may do about it:
 * reserve a free environment (users and admins), extend or release their own reservation,
 * break someone else's (admins). Nothing when the environment does not use reservations.
 */
export default function ReservationControl({
  environment,
  compact = false,
  onChange,
}: ReservationControlProps) {
  const { session } = useSession();
  const now = useNow(30_000);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const reservations = environment.reservations;
  // A server without reservations leaves them out: then there is nothing to show.
  if (environment.reservationPolicy === "none" || !reservations) return null;

  // An ended reservation stays in the cache until the server's update arrives.
  const current =
    reservations.current && Date.parse(reservations.current.end) > now
      ? reservations.current
      : null;
  const next = reservations.next ?? null;
  const role = session?.user.role ?? "viewer";
  const mine = current !== null && current.holder.userId === session?.user.id;
  const size = compact ? "small" : "medium";
  const done = (message: string) => (reservation: Reservation) => {
    setDialog(null);
    setNotice(message);
    onChange?.(reservation);
  };
  const name = environment.name;

  return (
    <Box role="group" aria-label={`Reservation of ${environment.name}`}>
      <Stack direction="row" columnGap={1} alignItems="center" useFlexGap flexWrap="wrap">
        {/* The label takes the line; the buttons follow it, or wrap under it when narrow. */}
        <Stack
          direction="row"
          spacing={1}
          alignItems="center"
          sx={{ flex: "1 1 12rem", minWidth: 0 }}
        >
          {current ? (
            <EventBusyIcon fontSize="small" color="warning" aria-hidden />
          ) : (
            <EventAvailableIcon fontSize="small" color="success" aria-hidden />
          )}
          <Typography
            variant="body2"
            sx={{ minWidth: 0, overflowWrap: "anywhere" }}
            color={current ? "text.primary" : "text.secondary"}
          >
            {reservationLabel(current, new Date(now))}
          </Typography>
        </Stack>
        {!current && hasRole(role, "user") && (
          <Button size={size} onClick={() => setDialog("reserve")}>
            Reserve
          </Button>
        )}
        {mine && (
          <Stack direction="row" spacing={1}>
            <Button size={size} onClick={() => setDialog("extend")}>
              Extend
            </Button>
            <Button size={size} onClick={() => setDialog("release")}>
              Release
            </Button>
          </Stack>
        )}
        {current && !mine && hasRole(role, "admin") && (
          <Button size={size} color="error" onClick={() => setDialog("break")}>
            Break
          </Button>
        )}
      </Stack>
      {next && next.id !== current?.id && (
        <Typography variant="caption" color="text.secondary">
          {nextLabel(next, new Date(now))}
        </Typography>
      )}
      {dialog === "reserve" && (
        <ReservationDialog
          environment={environment}
          onClose={() => setDialog(null)}
          onSaved={done(`Reserved ${name}.`)}
        />
      )}
      {dialog === "extend" && current && (
        <ReservationDialog
          environment={environment}
          reservation={current}
          onClose={() => setDialog(null)}
          onSaved={done(`Extended the reservation of ${name}.`)}
        />
      )}
      {dialog === "release" && current && (
        <ReleaseReservationDialog
          reservation={current}
          onClose={() => setDialog(null)}
          onReleased={done(`Released ${name}.`)}
        />
      )}
      {dialog === "break" && current && (
        <BreakReservationDialog
          reservation={current}
          onClose={() => setDialog(null)}
          onBroken={done(`Broke the reservation of ${name}.`)}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={() => setNotice(null)} />
    </Box>
  );
}
