import type { QueryClient } from "@tanstack/react-query";

import type { components } from "../../api/schema";
import { operationQueries } from "./queries";
import { isFinished, type Operation, type OperationList } from "./types";

type ActiveOperation = components["schemas"]["ActiveOperation-Output"];

/** The mark an operation leaves on its environment: there while it runs, null once finished. */
export function activeOperationOf(operation: Operation): ActiveOperation | null {
  if (isFinished(operation.status)) return null;
  return {
    id: operation.id,
    type: operation.type,
    startedAt: operation.startedAt ?? operation.createdAt ?? new Date().toISOString(),
    version: operation.params?.version ?? null,
  };
}

/**
 * Apply an operation_update frame: the operation's details (keeping the stored output and its
 * outputSeq, which frames leave out) and its rows in cached lists; then onOperation (the page
 * keeps the environment's busy mark with it) before a finished operation's details are
 * refetched.
 */
export function applyOperationUpdate(
  queryClient: QueryClient,
  operation: Operation,
  onOperation?: (operation: Operation) => void,
): void {
  queryClient.setQueryData<Operation>(operationQueries.detail(operation.id).queryKey, (known) =>
    known ? { ...known, ...operation, output: known.output, outputSeq: known.outputSeq } : known,
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
  onOperation?.(operation);
  if (isFinished(operation.status)) {
    // The details' output tail is final now.
    void queryClient.invalidateQueries({
      queryKey: operationQueries.detail(operation.id).queryKey,
    });
  }
}
