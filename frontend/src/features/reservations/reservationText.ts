import type { Reservation } from "./queries";

const TIME: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit" };
const DAY_AND_TIME: Intl.DateTimeFormatOptions = {
  weekday: "short",
  day: "numeric",
  month: "short",
  ...TIME,
};

function sameLocalDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** "17:00" today, "Tue 8 Dec, 09:30" another day: a moment in the reader's time zone. */
export function formatMoment(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  return date.toLocaleString("en-GB", sameLocalDay(date, now) ? TIME : DAY_AND_TIME);
}

/** "Reserved by alice until 17:00 · PR 123", or "Free" when nobody holds it now. */
export function reservationLabel(
  current: Reservation | null | undefined,
  now: Date = new Date(),
): string {
  if (!current) return "Free";
  const purpose = current.purpose.trim() ? ` · ${current.purpose.trim()}` : "";
  return `Reserved by ${current.holder.username} until ${formatMoment(current.end, now)}${purpose}`;
}

/** "Next: bob from Tue 8 Dec, 09:30". */
export function nextLabel(next: Reservation, now: Date = new Date()): string {
  return `Next: ${next.holder.username} from ${formatMoment(next.start, now)}`;
}

/** "14:00–17:00" (or with days when it spans them). */
export function formatSpan(reservation: Reservation, now: Date = new Date()): string {
  return `${formatMoment(reservation.start, now)}–${formatMoment(reservation.end, now)}`;
}
