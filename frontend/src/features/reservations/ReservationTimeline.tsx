import { Box, ButtonBase, Tooltip, Typography } from "@mui/material";
import { type KeyboardEvent, useEffect, useRef } from "react";

import type { Reservation } from "./queries";
import { formatMoment, formatSpan } from "./reservationText";
import {
  barOf,
  columnLabel,
  nowPosition,
  positionOf,
  type Span,
  type TimelineRange,
} from "./timeline";

/** A row of the timeline. */
export interface TimelineEnvironment {
  id: string;
  name: string;
}

const NAME_WIDTH = 120;
const ROW_HEIGHT = 44;
// Wide enough for a holder's name in a bar; the timeline scrolls sideways on a phone.
const TRACK_MIN_WIDTH = { day: 720, week: 700 } as const;

interface ReservationTimelineProps {
  range: TimelineRange;
  environments: TimelineEnvironment[];
  reservations: Reservation[];
  now: Date;
  /** Whose bars are marked as the reader's own. */
  userId: string | null;
  /** Empty slots are buttons that reserve from their start (now for the current one). */
  canReserve: boolean;
  onSlot: (environment: TimelineEnvironment, start: Date | null) => void;
  onBar: (reservation: Reservation) => void;
}

/** ArrowLeft / ArrowRight (Home / End) move the focus along a row's free slots. */
function moveAlongRow(event: KeyboardEvent<HTMLElement>) {
  const slots = [...(event.currentTarget.parentElement?.querySelectorAll("[data-slot]") ?? [])];
  const at = slots.indexOf(event.currentTarget);
  const target = {
    ArrowRight: slots[at + 1],
    ArrowLeft: slots[at - 1],
    Home: slots[0],
    End: slots.at(-1),
  }[event.key];
  if (target instanceof HTMLElement) {
    event.preventDefault();
    target.focus();
  }
}

// Positions go in style, not sx: one class per slot and bar would fill the style sheet.
function place(span: Span, range: TimelineRange) {
  const left = positionOf(span.start, range);
  return { left: `${left}%`, width: `${positionOf(span.end, range) - left}%` };
}

/**
 * Environments as rows, time as columns: each reservation a bar with its holder and
 * purpose, the current time marked, and (for those who reserve) every free slot of the
 * future a button that opens the reserve dialog from its start.
 */
export default function ReservationTimeline({
  range,
  environments,
  reservations,
  now,
  userId,
  canReserve,
  onSlot,
  onBar,
}: ReservationTimelineProps) {
  const nowAt = nowPosition(now, range);
  const scroller = useRef<HTMLDivElement>(null);
  // A phone shows a few hours of the day: start with now in view, a quarter from the left.
  const nowInRange = nowAt !== null;
  const from = range.from.getTime();
  useEffect(() => {
    const element = scroller.current;
    if (!element || !nowInRange) return;
    const track = element.scrollWidth - NAME_WIDTH;
    const visible = element.clientWidth - NAME_WIDTH;
    const at = nowPosition(new Date(), { from: new Date(from), to: range.to }) ?? 0;
    element.scrollLeft = Math.max(0, (track * at) / 100 - visible / 4);
    // Once per range shown, not at each tick of the clock.
  }, [from, range.to, nowInRange]);
  const nowLine = nowAt !== null && (
    <Box
      aria-hidden
      data-testid="now-line"
      sx={{
        position: "absolute",
        top: 0,
        bottom: 0,
        width: 2,
        bgcolor: "error.main",
        zIndex: 2,
        pointerEvents: "none",
      }}
      style={{ left: `${nowAt}%` }}
    />
  );
  const sticky = {
    position: "sticky",
    left: 0,
    zIndex: 3,
    width: NAME_WIDTH,
    flexShrink: 0,
    bgcolor: "background.paper",
    borderRight: 1,
    borderColor: "divider",
    px: 1,
  } as const;

  return (
    <Box
      ref={scroller}
      sx={{ overflowX: "auto" }}
      role="region"
      aria-label="Reservations timeline"
      tabIndex={0}
    >
      <Box sx={{ minWidth: NAME_WIDTH + TRACK_MIN_WIDTH[range.view] }}>
        <Box sx={{ display: "flex", borderBottom: 1, borderColor: "divider" }}>
          <Box sx={{ ...sticky, py: 0.5 }}>
            <Typography variant="caption" color="text.secondary">
              Environment
            </Typography>
          </Box>
          <Box sx={{ position: "relative", flexGrow: 1, height: 28 }}>
            {range.columns.map((column) => (
              <Typography
                key={column.start.getTime()}
                variant="caption"
                color="text.secondary"
                sx={{ position: "absolute", top: 4, pl: 0.5 }}
                style={place(column, range)}
              >
                {columnLabel(column, range.view)}
              </Typography>
            ))}
            {nowAt !== null && (
              <Box
                role="img"
                aria-label={`Now, ${formatMoment(now.toISOString(), now)}`}
                data-testid="now-marker"
                sx={{
                  position: "absolute",
                  top: 0,
                  bottom: 0,
                  width: 2,
                  bgcolor: "error.main",
                }}
                style={{ left: `${nowAt}%` }}
              />
            )}
          </Box>
        </Box>
        {environments.map((environment) => (
          <Box
            key={environment.id}
            role="group"
            aria-label={environment.name}
            sx={{ display: "flex", borderBottom: 1, borderColor: "divider", height: ROW_HEIGHT }}
          >
            <Box sx={{ ...sticky, display: "flex", alignItems: "center" }}>
              <Typography variant="body2" noWrap title={environment.name}>
                {environment.name}
              </Typography>
            </Box>
            <Box sx={{ position: "relative", flexGrow: 1 }}>
              {range.columns.map((column) => (
                <Box
                  key={column.start.getTime()}
                  aria-hidden
                  sx={{
                    position: "absolute",
                    top: 0,
                    bottom: 0,
                    borderLeft: 1,
                    borderColor: "divider",
                  }}
                  style={place(column, range)}
                />
              ))}
              {canReserve &&
                range.slots
                  .filter((slot) => slot.end > now)
                  .map((slot, index) => {
                    const current = slot.start <= now;
                    return (
                      <ButtonBase
                        key={slot.start.getTime()}
                        data-slot
                        // One tab stop per row; the arrow keys move along it.
                        tabIndex={index === 0 ? 0 : -1}
                        onKeyDown={moveAlongRow}
                        aria-label={`Reserve ${environment.name} from ${
                          current ? "now" : formatMoment(slot.start.toISOString(), now)
                        }`}
                        onClick={() => onSlot(environment, current ? null : slot.start)}
                        sx={{
                          position: "absolute",
                          top: 0,
                          bottom: 0,
                          "&:hover, &.Mui-focusVisible": { bgcolor: "action.hover" },
                        }}
                        style={place(slot, range)}
                      />
                    );
                  })}
              {reservations
                .filter((reservation) => reservation.environmentId === environment.id)
                .map((reservation) => barOf(reservation, range))
                .map((bar) => {
                  if (!bar) return null;
                  const { reservation } = bar;
                  const mine = reservation.holder.userId === userId;
                  const over = reservation.status !== "active" && reservation.status !== "upcoming";
                  const text = `${reservation.holder.username}${
                    reservation.purpose ? ` · ${reservation.purpose}` : ""
                  }`;
                  const span = formatSpan(reservation, now);
                  return (
                    <Tooltip key={reservation.id} title={`${text} (${span})`}>
                      <ButtonBase
                        aria-label={`${environment.name} reserved by ${text}, ${span}`}
                        data-testid="reservation-bar"
                        onClick={() => onBar(reservation)}
                        sx={{
                          position: "absolute",
                          top: 6,
                          bottom: 6,
                          minWidth: 6,
                          zIndex: 1,
                          justifyContent: "flex-start",
                          overflow: "hidden",
                          px: 0.75,
                          borderRadius: 1,
                          bgcolor: mine ? "primary.main" : "secondary.main",
                          color: mine ? "primary.contrastText" : "secondary.contrastText",
                          opacity: over ? 0.5 : 1,
                          "&.Mui-focusVisible": { outline: 2, outlineColor: "text.primary" },
                        }}
                        style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
                      >
                        <Typography variant="caption" noWrap>
                          {text}
                        </Typography>
                      </ButtonBase>
                    </Tooltip>
                  );
                })}
              {nowLine}
            </Box>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
