import ChevronLeftIcon from "@mui/icons-material/ChevronLeft";
import ChevronRightIcon from "@mui/icons-material/ChevronRight";
import {
  Alert,
  Button,
  FormControlLabel,
  IconButton,
  LinearProgress,
  Paper,
  Stack,
  Switch,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { hasRole, type Role } from "../../lib/roles";
import { errorMessage } from "../../lib/serverErrors";
import { useNow } from "../../lib/useNow";
import BreakReservationDialog from "./BreakReservationDialog";
import { type Reservation, reservationQueries, TIMELINE_LIMIT } from "./queries";
import ReleaseReservationDialog from "./ReleaseReservationDialog";
import ReservationDetailsDialog, { type ReservationAction } from "./ReservationDetailsDialog";
import ReservationDialog from "./ReservationDialog";
import ReservationTimeline, { type TimelineEnvironment } from "./ReservationTimeline";
import { rangeTitle, shiftAnchor, type TimelineView, timelineRange } from "./timeline";

type OpenDialog =
  | { kind: "reserve"; environment: TimelineEnvironment; start: Date | null }
  | { kind: "details" | ReservationAction; reservation: Reservation }
  | null;

interface ReservationsViewProps {
  /** The rows: every environment that uses reservations (from the page). */
  environments: TimelineEnvironment[];
  /** The reader, whose reservations "Mine" shows and who may reserve (users and admins). */
  user: { id: string; role: Role };
  /** Told of every reservation made, extended, released or broken here. */
  onChange?: (reservation: Reservation) => void;
}

function holds(reservation: Reservation): boolean {
  return reservation.status === "active" || reservation.status === "upcoming";
}

/** What the reader may do with a reservation: the holder extends and releases, admins break. */
export function actionsFor(
  reservation: Reservation,
  user: { id: string; role: Role },
): ReservationAction[] {
  if (!holds(reservation)) return [];
  if (reservation.holder.userId === user.id) return ["extend", "release"];
  return hasRole(user.role, "admin") ? ["break"] : [];
}

/**
 * The reservations page: a day or a week of every environment's reservations on a
 * timeline, "my reservations" only if asked; a click on a free slot reserves from there.
 */
export default function ReservationsView({ environments, user, onChange }: ReservationsViewProps) {
  const [view, setView] = useState<TimelineView>("day");
  const [anchor, setAnchor] = useState(() => new Date());
  const [mine, setMine] = useState(false);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const now = new Date(useNow(60_000));
  const range = timelineRange(view, anchor);
  const list = useQuery(
    reservationQueries.list({
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      holder: mine ? user.id : undefined,
      limit: TIMELINE_LIMIT,
    }),
  );
  const reservations = list.data?.items ?? [];
  const held = new Set(reservations.map((r) => r.environmentId));
  const rows = mine ? environments.filter((e) => held.has(e.id)) : environments;
  const done = (reservation: Reservation) => {
    setDialog(null);
    onChange?.(reservation);
  };

  return (
    <Stack spacing={2}>
      <Stack
        direction="row"
        spacing={1}
        useFlexGap
        flexWrap="wrap"
        alignItems="center"
        role="toolbar"
        aria-label="Timeline"
      >
        <ToggleButtonGroup
          size="small"
          exclusive
          aria-label="Show"
          value={view}
          onChange={(_event, next: TimelineView | null) => next && setView(next)}
        >
          <ToggleButton value="day">Day</ToggleButton>
          <ToggleButton value="week">Week</ToggleButton>
        </ToggleButtonGroup>
        <IconButton
          aria-label={view === "day" ? "Previous day" : "Previous week"}
          onClick={() => setAnchor(shiftAnchor(view, anchor, -1))}
        >
          <ChevronLeftIcon />
        </IconButton>
        <Button size="small" onClick={() => setAnchor(new Date())}>
          Today
        </Button>
        <IconButton
          aria-label={view === "day" ? "Next day" : "Next week"}
          onClick={() => setAnchor(shiftAnchor(view, anchor, 1))}
        >
          <ChevronRightIcon />
        </IconButton>
        <Typography component="h2" variant="subtitle1" sx={{ flexGrow: 1 }} aria-live="polite">
          {rangeTitle(range)}
        </Typography>
        <FormControlLabel
          control={<Switch checked={mine} onChange={(event) => setMine(event.target.checked)} />}
          label="My reservations"
        />
      </Stack>
      {list.isError && <Alert severity="error">{errorMessage(list.error)}</Alert>}
      {list.isFetching ? <LinearProgress aria-label="Loading reservations" /> : null}
      {list.data && list.data.pagination.total > reservations.length && (
        <Alert severity="info">
          Showing the first {reservations.length} of {list.data.pagination.total} reservations of
          this range.
        </Alert>
      )}
      <Paper variant="outlined">
        {rows.length === 0 ? (
          <Typography color="text.secondary" sx={{ p: 3, textAlign: "center" }}>
            {mine ? "You hold no reservation in this range." : "No environment to reserve."}
          </Typography>
        ) : (
          <ReservationTimeline
            range={range}
            environments={rows}
            reservations={reservations}
            now={now}
            userId={user.id}
            canReserve={hasRole(user.role, "user")}
            onSlot={(environment, start) => setDialog({ kind: "reserve", environment, start })}
            onBar={(reservation) => setDialog({ kind: "details", reservation })}
          />
        )}
      </Paper>

      {dialog?.kind === "reserve" && (
        <ReservationDialog
          environment={dialog.environment}
          start={dialog.start}
          onClose={() => setDialog(null)}
          onSaved={done}
        />
      )}
      {dialog?.kind === "details" && (
        <ReservationDetailsDialog
          reservation={dialog.reservation}
          actions={actionsFor(dialog.reservation, user)}
          onAction={(kind) => setDialog({ kind, reservation: dialog.reservation })}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === "extend" && (
        <ReservationDialog
          environment={{
            id: dialog.reservation.environmentId,
            name: dialog.reservation.environmentName,
          }}
          reservation={dialog.reservation}
          onClose={() => setDialog(null)}
          onSaved={done}
        />
      )}
      {dialog?.kind === "release" && (
        <ReleaseReservationDialog
          reservation={dialog.reservation}
          onClose={() => setDialog(null)}
          onReleased={done}
        />
      )}
      {dialog?.kind === "break" && (
        <BreakReservationDialog
          reservation={dialog.reservation}
          onClose={() => setDialog(null)}
          onBroken={done}
        />
      )}
    </Stack>
  );
}
