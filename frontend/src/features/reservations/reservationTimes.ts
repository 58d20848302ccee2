// The lengths a reservation is picked from, and the <input type="datetime-local"> values of
// its custom end (in the reader's time zone; the API speaks UTC).

export const LENGTHS = ["30m", "1h", "2h", "4h", "8h", "1d", "custom"] as const;
export type Length = (typeof LENGTHS)[number];

const MINUTES: Record<Exclude<Length, "custom">, number> = {
  "30m": 30,
  "1h": 60,
  "2h": 120,
  "4h": 240,
  "8h": 480,
  "1d": 1440,
};

export const LENGTH_LABELS: Record<Length, string> = {
  "30m": "30 minutes",
  "1h": "1 hour",
  "2h": "2 hours",
  "4h": "4 hours",
  "8h": "8 hours",
  "1d": "1 day",
  custom: "Until a time I pick",
};

/** The end of a reservation from `from` for a preset length (null for a custom one). */
export function endAfter(from: Date, length: Length): Date | null {
  return length === "custom" ? null : new Date(from.getTime() + MINUTES[length] * 60_000);
}

/** An instant as the value of an <input type="datetime-local">, in the reader's time zone. */
export function toLocalInput(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The value of an <input type="datetime-local"> (the reader's time), or null if not one. */
export function fromLocalInput(value: string): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
