import cronstrue from "cronstrue";

import { formatDateTime } from "../../lib/formatDate";
import type { ActiveMaintenanceWindow, MaintenanceSchedule, MaintenanceScope } from "./queries";

/** The reader's IANA time zone, the default of a new recurring window. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every IANA time zone the browser knows, UTC included, in alphabetical order. */
export function timeZones(): string[] {
  const zones = new Set(Intl.supportedValuesOf("timeZone"));
  zones.add("UTC");
  return [...zones].sort();
}

/** "At 02:30, Monday through Friday"; the expression itself when it cannot be read. */
export function describeCron(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return cron;
  }
}

/** 90 → "1 h 30 min", 2880 → "2 d". */
export function formatMinutes(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [days && `${days} d`, hours && `${hours} h`, rest && `${rest} min`];
  return parts.filter(Boolean).join(" ") || "0 min";
}

/** A window's schedule in words: "Once, 1 May 2026, 22:00 → …" or "At 02:30, for 1 h". */
export function describeSchedule(schedule: MaintenanceSchedule): string {
  if (schedule.kind === "one-off") {
    return `Once, ${formatDateTime(schedule.start)} → ${formatDateTime(schedule.end)}`;
  }
  const duration = schedule.durationMinutes
    ? `, for ${formatMinutes(schedule.durationMinutes)}`
    : "";
  return `${describeCron(schedule.cron ?? "")}${duration}`;
}

/** "12 Mar 2025, 14:05" as a clock in this time zone shows it. */
export function formatInZone(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone,
  });
}

/** An instant as the value of an <input type="datetime-local">, in the reader's time zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The value of an <input type="datetime-local"> (the reader's time) as a UTC instant. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Tell whether a scope covers an environment: it names its id or shares one of its tags. */
export function scopeCovers(
  scope: MaintenanceScope,
  environment: { id: string; tags?: string[] },
): boolean {
  if (scope.environmentIds?.includes(environment.id)) return true;
  const tags = new Set(environment.tags ?? []);
  return (scope.tags ?? []).some((tag) => tags.has(tag));
}

/** The running windows that cover this environment. */
export function windowsCovering(
  windows: ActiveMaintenanceWindow[] | undefined,
  environment: { id: string; tags?: string[] },
): ActiveMaintenanceWindow[] {
  return (windows ?? []).filter((maintenance) => scopeCovers(maintenance.scope, environment));
}

/** A pydantic message without its "Value error, " prefix, as a sentence. */
export function plainMessage(message: string): string {
  const text = message.replace(/^Value error, /, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
