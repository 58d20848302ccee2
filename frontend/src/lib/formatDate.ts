/** "12 Mar 2025, 14:05" in the reader's time zone; `empty` when there is no date. */
export function formatDateTime(iso: string | null | undefined, empty = "—"): string {
  if (!iso) return empty;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return empty;
  return date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/** Today's date as the value of an <input type="date">, in the reader's time zone. */
export function todayInputValue(now = new Date()): string {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** The end of a local calendar day ("2025-03-12"), as the ISO instant the API expects. */
export function endOfDayIso(day: string): string {
  return new Date(`${day}T23:59:59`).toISOString();
}
