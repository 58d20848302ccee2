import type { components } from "../../api/schema";
import { endOfDayIso } from "../../lib/formatDate";

export type LogEntry = components["schemas"]["LogList"]["logs"][number];
export type LogType = components["schemas"]["LogType"];
export type LogLevel = components["schemas"]["LogLevel"];

export const LOG_TYPES = [
  "action",
  "auth",
  "health_check",
  "system",
  "error",
] as const satisfies LogType[];
export const LOG_LEVELS = ["info", "success", "warning", "error"] as const satisfies LogLevel[];

export const TYPE_LABELS: Record<LogType, string> = {
  action: "Action",
  auth: "Sign-in",
  health_check: "Health check",
  system: "System",
  error: "Error",
};

export const LEVEL_LABELS: Record<LogLevel, string> = {
  info: "Info",
  success: "Success",
  warning: "Warning",
  error: "Error",
};

/** Actions the server records today; the action filter takes any other one too. */
export const KNOWN_ACTIONS = [
  "create",
  "update",
  "delete",
  "import",
  "restart",
  "upgrade",
  "rollback",
  "check_health",
  "login",
  "login_failed",
  "logout",
  "setup",
  "password_change",
  "password_reset",
  "user_create",
  "user_update",
  "user_delete",
  "token_create",
  "token_revoke",
  "rotate_key",
];

/** The server's action pattern: a snake_case verb. */
export const ACTION_PATTERN = /^[a-z][a-z_]{0,39}$/;

/** What selects entries; null (or "") for "any". Dates are local calendar days. */
export interface ActivityFilters {
  environmentId: string | null;
  userId: string | null;
  type: LogType | null;
  level: LogLevel | null;
  action: string | null;
  q: string;
  from: string | null;
  to: string | null;
}

export const NO_FILTERS: ActivityFilters = {
  environmentId: null,
  userId: null,
  type: null,
  level: null,
  action: null,
  q: "",
  from: null,
  to: null,
};

export const PAGE_SIZES = [20, 50, 100];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[0-9a-f]{24}$/;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
  return value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;
}

function matching(pattern: RegExp, value: string | null): string | null {
  return value !== null && pattern.test(value) ? value : null;
}

/** The filters in a page address; anything malformed there reads as "any". */
export function filtersFromParams(params: URLSearchParams): ActivityFilters {
  return {
    environmentId: matching(ID, params.get("environmentId")),
    userId: matching(ID, params.get("userId")),
    type: oneOf(LOG_TYPES, params.get("type")),
    level: oneOf(LOG_LEVELS, params.get("level")),
    action: matching(ACTION_PATTERN, params.get("action")),
    q: (params.get("q") ?? "").slice(0, 200),
    from: matching(DAY, params.get("from")),
    to: matching(DAY, params.get("to")),
  };
}

/** The 1-based page and the page size in a page address. */
export function pageFromParams(params: URLSearchParams): { page: number; limit: number } {
  const page = Number(params.get("page"));
  const limit = Number(params.get("limit"));
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    limit: PAGE_SIZES.includes(limit) ? limit : PAGE_SIZES[0]!,
  };
}

/** The page address's parameters after a change of filters (back to the first page). */
export function withFilters(
  params: URLSearchParams,
  change: Partial<ActivityFilters>,
): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(change)) {
    if (value === null || value === "") next.delete(key);
    else next.set(key, value);
  }
  next.delete("page");
  return next;
}

/** The start of a local calendar day ("2025-03-12"), as the ISO instant the API expects. */
export function startOfDayIso(day: string): string {
  return new Date(`${day}T00:00:00`).toISOString();
}

/** The server searches text of at least this many characters (its index is of trigrams). */
export const MIN_SEARCH_LENGTH = 3;

/** The search text the server is sent: shorter text is not a search yet. */
export function searchText(q: string): string | undefined {
  const text = q.trim();
  return text.length >= MIN_SEARCH_LENGTH ? text : undefined;
}

/** The filters as the API's query parameters (undefined for "any"). */
export function apiFilters(filters: ActivityFilters) {
  return {
    environmentId: filters.environmentId ?? undefined,
    userId: filters.userId ?? undefined,
    type: filters.type ?? undefined,
    level: filters.level ?? undefined,
    action: filters.action ?? undefined,
    q: searchText(filters.q),
    startDate: filters.from ? startOfDayIso(filters.from) : undefined,
    endDate: filters.to ? endOfDayIso(filters.to) : undefined,
  };
}

function contains(value: string | null | undefined, part: string): boolean {
  return (value ?? "").toLowerCase().includes(part);
}

/** Tell whether the server would list this entry under these filters (for the live tail). */
export function matchesFilters(entry: LogEntry, filters: ActivityFilters): boolean {
  const { startDate, endDate, q } = apiFilters(filters);
  const time = Date.parse(entry.timestamp);
  const text = q?.toLowerCase();
  return (
    (filters.environmentId === null || entry.environmentId === filters.environmentId) &&
    (filters.userId === null || entry.userId === filters.userId) &&
    (filters.type === null || entry.type === filters.type) &&
    (filters.level === null || entry.level === filters.level) &&
    (filters.action === null || entry.action === filters.action) &&
    (startDate === undefined || time >= Date.parse(startDate)) &&
    (endDate === undefined || time <= Date.parse(endDate)) &&
    (text === undefined ||
      contains(entry.message, text) ||
      contains(entry.environmentName, text) ||
      contains(entry.username, text))
  );
}

/** Tell whether a frame's payload is a log entry ({entry: {...}}). */
export function logEntryOf(payload: unknown): LogEntry | null {
  if (typeof payload !== "object" || payload === null) return null;
  const entry = (payload as { entry?: unknown }).entry;
  if (typeof entry !== "object" || entry === null) return null;
  const { id, timestamp, message } = entry as Record<string, unknown>;
  return typeof id === "string" && typeof timestamp === "string" && typeof message === "string"
    ? (entry as LogEntry)
    : null;
}
