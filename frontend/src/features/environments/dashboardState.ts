import { type EnvironmentSort, HEALTH_STATES, type HealthState, SORTS } from "./queries";

/** What the dashboard groups by: each tag, or each value of one metadata key. */
export type GroupKey = "tag" | `meta:${string}`;

/** Everything a user chooses on the dashboard, as its URL keeps it (shareable, kept on reload). */
export interface DashboardState {
  /** The search box as typed (the list asks once typing stops). */
  search: string;
  status: HealthState | null;
  tag: string | null;
  /** Only the environments nobody holds now. */
  freeNow: boolean;
  sort: EnvironmentSort;
  /** 0-based, as the pagination counts (the URL says page=1 for the first). */
  page: number;
  limit: number;
  /** Rows of the grouped view (swimlanes); null for the plain grid or table. */
  groupBy: GroupKey | null;
  /** Columns of the grouped view; null for one column. */
  columnsBy: GroupKey | null;
}

export const PAGE_SIZES = [12, 24, 48, 96] as const;

export const DEFAULT_STATE: DashboardState = {
  search: "",
  status: null,
  tag: null,
  freeNow: false,
  sort: "name",
  page: 0,
  limit: 24,
  groupBy: null,
  columnsBy: null,
};

/** The longest metadata key a group key may name (beyond it the URL was not made by us). */
const MAX_KEY_LENGTH = 100;

export function parseGroupKey(value: string | null): GroupKey | null {
  if (value === "tag") return "tag";
  if (value?.startsWith("meta:")) {
    const key = value.slice("meta:".length).trim();
    if (key && key.length <= MAX_KEY_LENGTH) return `meta:${key}`;
  }
  return null;
}

function positiveInt(value: string | null): number | null {
  if (value === null || !/^\d{1,9}$/.test(value)) return null;
  const number = Number(value);
  return number >= 1 ? number : null;
}

/** The state a URL's query describes; anything missing or not understood is the default. */
export function parseDashboardState(params: URLSearchParams): DashboardState {
  const status = params.get("status");
  const sort = params.get("sort");
  const limit = positiveInt(params.get("perPage"));
  const groupBy = parseGroupKey(params.get("group"));
  return {
    search: params.get("q") ?? "",
    status: HEALTH_STATES.includes(status as HealthState) ? (status as HealthState) : null,
    tag: params.get("tag") || null,
    freeNow: params.get("free") === "1",
    sort: SORTS.includes(sort as EnvironmentSort) ? (sort as EnvironmentSort) : DEFAULT_STATE.sort,
    page: (positiveInt(params.get("page")) ?? 1) - 1,
    limit: PAGE_SIZES.includes(limit as (typeof PAGE_SIZES)[number])
      ? (limit as number)
      : DEFAULT_STATE.limit,
    groupBy,
    // Columns without rows would be one row of everything: the same as rows of that key.
    columnsBy: groupBy ? parseGroupKey(params.get("columns")) : null,
  };
}

/**
 * The URL query of a state: only what differs from the defaults, so a plain dashboard has a
 * plain URL. Other parameters already in `base` are kept.
 */
export function dashboardSearchParams(
  state: DashboardState,
  base = new URLSearchParams(),
): URLSearchParams {
  const params = new URLSearchParams(base);
  const set = (name: string, value: string | null) => {
    if (value === null) params.delete(name);
    else params.set(name, value);
  };
  set("q", state.search || null);
  set("status", state.status);
  set("tag", state.tag);
  set("free", state.freeNow ? "1" : null);
  set("sort", state.sort === DEFAULT_STATE.sort ? null : state.sort);
  set("page", state.page > 0 ? String(state.page + 1) : null);
  set("perPage", state.limit === DEFAULT_STATE.limit ? null : String(state.limit));
  set("group", state.groupBy);
  set("columns", state.groupBy ? state.columnsBy : null);
  return params;
}

/** A label for a group key: "Tag", "app" (a metadata key). */
export function groupKeyLabel(key: GroupKey): string {
  return key === "tag" ? "Tag" : key.slice("meta:".length);
}
