import type { QueryClient } from "@tanstack/react-query";

import type { components } from "../../api/schema";
import {
  type Environment,
  type EnvironmentListParams,
  environmentQueries,
  type EnvironmentSummary,
  type HealthState,
} from "./queries";

type EnvironmentList = components["schemas"]["EnvironmentList"];
type Status = NonNullable<Environment["status"]>;

/** The payload of an environment_update frame. */
export interface EnvironmentUpdate {
  action: "created" | "updated" | "deleted";
  environment: Environment;
}

/**
 * The payload of a status_update frame: the new status and the health before it. `transition`
 * is true when the health changed (sent to everyone); false for a refreshed status (response
 * time, last check) of an environment this client watches. Older servers leave it out.
 */
export interface StatusUpdate {
  environmentId: string;
  status: Status;
  previous: HealthState | null;
  transition?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isEnvironmentUpdate(payload: unknown): payload is EnvironmentUpdate {
  return (
    isObject(payload) &&
    ["created", "updated", "deleted"].includes(payload.action as string) &&
    isObject(payload.environment) &&
    typeof payload.environment.id === "string"
  );
}

export function isStatusUpdate(payload: unknown): payload is StatusUpdate {
  return (
    isObject(payload) && typeof payload.environmentId === "string" && isObject(payload.status)
  );
}

/** What a frame leaves to refetch: the lists whose membership or order may have changed. */
export interface Refetch {
  lists: (params: EnvironmentListParams) => boolean;
  summary: boolean;
}

const EVERY_LIST = () => true;
const HEALTH_SORTS = new Set(["health", "-health", "lastCheck", "-lastCheck"]);

function listKey() {
  return [...environmentQueries.all(), "list"] as const;
}

function patchLists(
  queryClient: QueryClient,
  change: (environments: Environment[]) => Environment[],
): void {
  queryClient.setQueriesData<EnvironmentList>({ queryKey: listKey() }, (list) =>
    list ? { ...list, environments: change(list.environments) } : list,
  );
}

/**
 * Apply an environment_update to the cache: the details and every cached page show the new
 * version at once. Where it now belongs in a filtered, sorted page only the server knows, so
 * the lists and the counts are refetched (the caller batches that).
 */
export function applyEnvironmentUpdate(
  queryClient: QueryClient,
  { action, environment }: EnvironmentUpdate,
): Refetch {
  const detailKey = environmentQueries.detail(environment.id).queryKey;
  if (action === "deleted") {
    patchLists(queryClient, (list) => list.filter((e) => e.id !== environment.id));
    // The details page then shows "not found" from the server's own answer.
    void queryClient.invalidateQueries({ queryKey: detailKey });
  } else {
    queryClient.setQueryData(detailKey, environment);
    patchLists(queryClient, (list) =>
      list.map((e) => (e.id === environment.id ? environment : e)),
    );
  }
  return { lists: EVERY_LIST, summary: true };
}

/**
 * Apply a status_update: the environment's status everywhere it is cached, and the summary's
 * health counts moved from the previous health to the new one. Only the lists filtered or
 * sorted by health or last check can have changed membership or order.
 */
export function applyStatusUpdate(
  queryClient: QueryClient,
  { environmentId, status, previous, transition }: StatusUpdate,
): Refetch {
  const withStatus = (environment: Environment) =>
    environment.id === environmentId ? { ...environment, status } : environment;
  queryClient.setQueryData(environmentQueries.detail(environmentId).queryKey, (environment) =>
    environment ? withStatus(environment) : environment,
  );
  patchLists(queryClient, (list) => list.map(withStatus));

  const health = status.health ?? "unknown";
  let summary = false;
  if (previous !== health) {
    if (previous === null) {
      summary = true;
    } else {
      queryClient.setQueryData<EnvironmentSummary>(
        environmentQueries.summary().queryKey,
        (current) => current && moveCount(current, previous, health),
      );
    }
  }
  // A refresh without a change of health moves nothing but the order by last check, which
  // changes with every check: the pages are patched in place rather than refetched each time.
  if (transition === false && previous === health) return { lists: () => false, summary };
  const lists = (params: EnvironmentListParams) =>
    params.status !== null || HEALTH_SORTS.has(params.sort);
  return { lists, summary };
}

function moveCount(summary: EnvironmentSummary, from: string, to: string): EnvironmentSummary {
  const byHealth = { ...summary.byHealth };
  byHealth[from] = Math.max((byHealth[from] ?? 0) - 1, 0);
  byHealth[to] = (byHealth[to] ?? 0) + 1;
  return { ...summary, byHealth };
}

/** Refetch (if shown) what the frames since the last call left to refetch. */
export function refetchStale(queryClient: QueryClient, pending: Refetch[]): void {
  if (pending.some((r) => r.summary)) {
    void queryClient.invalidateQueries({ queryKey: environmentQueries.summary().queryKey });
  }
  void queryClient.invalidateQueries({
    queryKey: listKey(),
    predicate: (query) => {
      const params = query.queryKey[2] as EnvironmentListParams | undefined;
      return params !== undefined && pending.some((r) => r.lists(params));
    },
  });
}

/**
 * Keep an environment's activeOperation in step with an operation_update (the action buttons'
 * busy state): `active` is the operation's mark while it runs, null once it finished. A
 * finished operation clears only its own mark, never a newer one's, and may have changed the
 * environment (version, timestamps): that is refetched.
 */
export function applyActiveOperation(
  queryClient: QueryClient,
  environmentId: string,
  operationId: string,
  active: Environment["activeOperation"],
): void {
  const patch = (environment: Environment): Environment => {
    if (environment.id !== environmentId) return environment;
    const current = environment.activeOperation;
    if (!active && current && current.id !== operationId) return environment;
    return { ...environment, activeOperation: active };
  };
  const detailKey = environmentQueries.detail(environmentId).queryKey;
  queryClient.setQueryData<Environment>(detailKey, (environment) =>
    environment ? patch(environment) : environment,
  );
  patchLists(queryClient, (list) => list.map(patch));
  if (!active) {
    void queryClient.invalidateQueries({ queryKey: detailKey });
    void queryClient.invalidateQueries({ queryKey: listKey() });
  }
}

/**
 * Read an environment again after one of its reservations changed (made, extended, released,
 * broken, ended): its current and next reservation, and the lists filtered by availability.
 */
export function refetchReserved(queryClient: QueryClient, environmentId: string): void {
  const detailKey = environmentQueries.detail(environmentId).queryKey;
  void queryClient.invalidateQueries({ queryKey: detailKey });
  void queryClient.invalidateQueries({ queryKey: listKey() });
}
