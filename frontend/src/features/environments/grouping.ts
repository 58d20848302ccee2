import type { GroupKey } from "./dashboardState";
import type { Environment } from "./queries";

/** The group of environments without a value for the key (no tag, metadata key missing). */
export const NO_VALUE = "";
/** The one column of a grouped view without columns. */
export const ALL = "\u0000all";

/** Stages in the order a release goes through them: columns of stages read left to right. */
const STAGE_ORDER = [
  "local",
  "dev",
  "development",
  "test",
  "testing",
  "qa",
  "uat",
  "stage",
  "staging",
  "preprod",
  "pre-prod",
  "canary",
  "prod",
  "production",
  "live",
];

/** The masked value of a secret metadata field: no use as a group. */
const MASK = "********";

function scalar(value: unknown): string | null {
  if (typeof value === "string") return value === MASK ? null : value.trim() || null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** The groups an environment belongs to by key: one per tag, or its metadata value. */
export function groupValues(environment: Environment, key: GroupKey): string[] {
  if (key === "tag") return environment.tags?.length ? environment.tags : [NO_VALUE];
  const value = scalar(environment.metadata?.[key.slice("meta:".length)]);
  return [value ?? NO_VALUE];
}

/** The metadata keys with a plain value (text, number, yes/no) in any of these environments. */
export function metadataKeys(environments: Environment[]): string[] {
  const keys = new Set<string>();
  for (const environment of environments) {
    for (const [key, value] of Object.entries(environment.metadata ?? {})) {
      if (scalar(value) !== null) keys.add(key);
    }
  }
  return [...keys].sort((a, b) => a.localeCompare(b));
}

/** Known stages first in release order, then the rest alphabetically; no value last. */
export function compareGroupValues(a: string, b: string): number {
  if (a === NO_VALUE || b === NO_VALUE) return Number(a === NO_VALUE) - Number(b === NO_VALUE);
  const rank = (value: string) => {
    const index = STAGE_ORDER.indexOf(value.toLowerCase());
    return index < 0 ? STAGE_ORDER.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true });
}

export interface Swimlanes {
  rows: string[];
  /** [ALL] when there are no columns. */
  columns: string[];
  /** Row value → column value → its environments, in the order given. */
  cells: Map<string, Map<string, Environment[]>>;
  /** Every environment of a row (each once), to select the whole row. */
  rowMembers: Map<string, Environment[]>;
  columnMembers: Map<string, Environment[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Environments as a grid: one row per value of rowsBy, one column per value of columnsBy. An
 * environment with several tags is in each of their groups.
 */
export function buildSwimlanes(
  environments: Environment[],
  rowsBy: GroupKey,
  columnsBy: GroupKey | null,
): Swimlanes {
  const cells = new Map<string, Map<string, Environment[]>>();
  const rowMembers = new Map<string, Environment[]>();
  const columnMembers = new Map<string, Environment[]>();
  for (const environment of environments) {
    const columns = columnsBy ? [...new Set(groupValues(environment, columnsBy))] : [ALL];
    for (const row of new Set(groupValues(environment, rowsBy))) {
      push(rowMembers, row, environment);
      let cellsOfRow = cells.get(row);
      if (!cellsOfRow) cells.set(row, (cellsOfRow = new Map()));
      for (const column of columns) push(cellsOfRow, column, environment);
    }
    for (const column of columns) push(columnMembers, column, environment);
  }
  return {
    rows: [...rowMembers.keys()].sort(compareGroupValues),
    columns: [...columnMembers.keys()].sort(compareGroupValues),
    cells,
    rowMembers,
    columnMembers,
  };
}
