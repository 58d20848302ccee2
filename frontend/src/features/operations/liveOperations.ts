import type { QueryClient } from "@tanstack/react-query";

import type { components } from "../../api/schema";
import { type Environment, environmentQueries } from "../environments/queries";
import { operationQueries } from "./queries";
import { isFinished, type Operation, type OperationList } from "./types";

type EnvironmentList = components["schemas"]["EnvironmentList"];

function activeOf(operation: Operation): Environment["activeOperation"] {
  if (isFinished(operation.status)) return null;
  return {
    id: operation.id,
    type: operation.type,
    startedAt: operation.startedAt ?? operation.createdAt ?? new Date().toISOString(),
  };
}

/** Keep the environment's activeOperation in step (the action buttons' busy state). */
function patchEnvironment(queryClient: QueryClient, operation: Operation): void {
  const patch = (environment: Environment): Environment => {
    if (environment.id !== operation.environmentId) return environment;
    const current = environment.activeOperation;
    // A finished operation clears only its own mark, never a newer one's.
    if (isFinished(operation.status) && current && current.id !== operation.id) return environment;
    return { ...environment, activeOperation: activeOf(operation) };
  };
  queryClient.setQueryData<Environment>(
    environmentQueries.detail(operation.environmentId).queryKey,
    (environment) => (environment ? patch(environment) : environment),
  );
  queryClient.setQueriesData<EnvironmentList>(
    { queryKey: [...environmentQueries.all(), "list"] },
    (list) => (list ? { ...list, environments: list.environments.map(patch) } : list),
  );
}

/**
 * Apply an operation_update frame: the operation's details (keeping the stored output, which
 * frames leave out), its rows in cached lists, and its environment's busy mark. A finished
 * operation may have changed the environment (version, timestamps): that is refetched.
 */
export function applyOperationUpdate(queryClient: QueryClient, operation: Operation): void {
  queryClient.setQueryData<Operation>(operationQueries.detail(operation.id).queryKey, (known) =>
    known ? { ...known, ...operation, output: known.output } : known,
  );
  queryClient.setQueriesData<OperationList>({ queryKey: operationQueries.lists() }, (list) =>
    list
      ? {
          ...list,
          operations: list.operations.map((row) =>
            row.id === operation.id ? { ...row, ...operation } : row,
          ),
        }
      : list,
  );
  // A new operation, or one that left a status filter: only the server knows the pages.
  void queryClient.invalidateQueries({ queryKey: operationQueries.lists() });
  patchEnvironment(queryClient, operation);
  if (isFinished(operation.status)) {
    void queryClient.invalidateQueries({
      queryKey: environmentQueries.detail(operation.environmentId).queryKey,
    });
    void queryClient.invalidateQueries({ queryKey: [...environmentQueries.all(), "list"] });
    // The details' output tail is final now.
    void queryClient.invalidateQueries({
      queryKey: operationQueries.detail(operation.id).queryKey,
    });
  }
}
