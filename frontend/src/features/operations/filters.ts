import type { OperationFilters } from "./queries";
import {
  OPERATION_STATUSES,
  OPERATION_TYPES,
  type OperationStatus,
  type OperationType,
} from "./types";

const OBJECT_ID = /^[0-9a-f]{24}$/;
export const PAGE_SIZES = [10, 20, 50];
const DEFAULT_LIMIT = 20;

/** The address's names of the filters (other parameters, such as a tab, are left alone). */
export const FILTER_KEYS = {
  environmentId: "environment",
  type: "type",
  status: "status",
  userId: "user",
} as const;

export interface OperationView extends OperationFilters {
  /** Zero-based, as MUI counts. */
  page: number;
  limit: number;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return allowed.find((item) => item === value) ?? null;
}

/** Read the filters from the address; anything unknown is ignored. */
export function readView(params: URLSearchParams): OperationView {
  const id = (key: string) => {
    const value = params.get(key);
    return value && OBJECT_ID.test(value) ? value : null;
  };
  const page = Number(params.get("page") ?? "1");
  const limit = Number(params.get("limit") ?? DEFAULT_LIMIT);
  return {
    environmentId: id(FILTER_KEYS.environmentId),
    type: oneOf<OperationType>(params.get(FILTER_KEYS.type), OPERATION_TYPES),
    status: oneOf<OperationStatus>(params.get(FILTER_KEYS.status), OPERATION_STATUSES),
    userId: id(FILTER_KEYS.userId),
    page: Number.isInteger(page) && page >= 1 ? page - 1 : 0,
    limit: PAGE_SIZES.includes(limit) ? limit : DEFAULT_LIMIT,
  };
}

/** The address for a view, keeping parameters that are not the view's. */
export function writeView(params: URLSearchParams, view: OperationView): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [field, key] of Object.entries(FILTER_KEYS)) {
    const value = view[field as keyof typeof FILTER_KEYS];
    if (value) next.set(key, value);
    else next.delete(key);
  }
  if (view.page > 0) next.set("page", String(view.page + 1));
  else next.delete("page");
  if (view.limit !== DEFAULT_LIMIT) next.set("limit", String(view.limit));
  else next.delete("limit");
  return next;
}
