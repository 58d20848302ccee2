// Where things go on the reservations timeline: a day (hours as columns) or a week (days),
// in the reader's time zone. Positions are percents of the range, so the layout is the
// browser's and these stay pure (and tested).
import type { Reservation } from "./queries";

export const VIEWS = ["day", "week"] as const;
export type TimelineView = (typeof VIEWS)[number];

/** A stretch of the range a click reserves from, or a column the header names. */
export interface Span {
  start: Date;
  end: Date;
}

export interface TimelineRange {
  view: TimelineView;
  from: Date;
  to: Date;
  /** What the header names: each hour of a day, each day of a week. */
  columns: Span[];
  /** What a click reserves from: each hour of a day, each quarter of a day of a week. */
  slots: Span[];
}

/** The hours of a week's slots: a click on a week reserves from the start of a quarter day. */
const WEEK_SLOT_HOURS = 6;

function localDay(date: Date, plusDays = 0, hour = 0): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + plusDays, hour);
}

/** Monday of the week of date, at local midnight. */
function mondayOf(date: Date): Date {
  const sinceMonday = (date.getDay() + 6) % 7;
  return localDay(date, -sinceMonday);
}

function spans(count: number, at: (index: number) => Date): Span[] {
  return Array.from({ length: count }, (_, index) => ({ start: at(index), end: at(index + 1) }));
}

/** The day or the week around anchor, with its columns and slots (DST days included). */
export function timelineRange(view: TimelineView, anchor: Date): TimelineRange {
  if (view === "day") {
    const hours = spans(24, (hour) => localDay(anchor, 0, hour));
    return { view, from: localDay(anchor), to: localDay(anchor, 1), columns: hours, slots: hours };
  }
  const monday = mondayOf(anchor);
  const perDay = 24 / WEEK_SLOT_HOURS;
  return {
    view,
    from: monday,
    to: localDay(monday, 7),
    columns: spans(7, (day) => localDay(monday, day)),
    slots: spans(7 * perDay, (index) =>
      localDay(monday, Math.floor(index / perDay), (index % perDay) * WEEK_SLOT_HOURS),
    ),
  };
}

/** The same view one step earlier (-1) or later (1). */
export function shiftAnchor(view: TimelineView, anchor: Date, by: -1 | 1): Date {
  return localDay(anchor, by * (view === "day" ? 1 : 7));
}

/** Where an instant falls in the range, in percent (clamped to 0–100). */
export function positionOf(instant: Date | string, range: Pick<TimelineRange, "from" | "to">) {
  const at = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  const from = range.from.getTime();
  const percent = ((at - from) / (range.to.getTime() - from)) * 100;
  return Math.min(Math.max(percent, 0), 100);
}

/** Where the now marker goes, or null when now is not in the range. */
export function nowPosition(now: Date, range: Pick<TimelineRange, "from" | "to">): number | null {
  return now >= range.from && now < range.to ? positionOf(now, range) : null;
}

export interface Bar {
  reservation: Reservation;
  /** Percent of the range from its start. */
  left: number;
  width: number;
}

/** The bar of a reservation, cut to the range; null when it is not in the range at all. */
export function barOf(reservation: Reservation, range: TimelineRange): Bar | null {
  const start = Date.parse(reservation.start);
  const end = Date.parse(reservation.releasedAt ?? reservation.end);
  if (end <= range.from.getTime() || start >= range.to.getTime() || end <= start) return null;
  const left = positionOf(new Date(start), range);
  return { reservation, left, width: positionOf(new Date(end), range) - left };
}

/** "Mon 7 Dec" or "7 – 13 Dec 2026": what the range shows, for its heading. */
export function rangeTitle(range: TimelineRange): string {
  if (range.view === "day") {
    return range.from.toLocaleDateString("en-GB", {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
    });
  }
  const last = new Date(range.to.getTime() - 1);
  const first = range.from.toLocaleDateString("en-GB", { day: "numeric", month: "short" });
  const end = last.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
  return `${first} – ${end}`;
}

/** A header column's label: "09" for an hour, "Mon 7" for a day. */
export function columnLabel(column: Span, view: TimelineView): string {
  return view === "day"
    ? String(column.start.getHours()).padStart(2, "0")
    : column.start.toLocaleDateString("en-GB", { weekday: "short", day: "numeric" });
}
