import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";
import type {
  CommandPreview,
  Operation,
  OperationList,
  OperationStatus,
  OperationType,
} from "./types";

export interface OperationFilters {
  environmentId: string | null;
  type: OperationType | null;
  status: OperationStatus | null;
  userId: string | null;
}

export interface OperationListParams extends OperationFilters, PageRequest {}

export interface EnvironmentVersions {
  currentVersion: string | null;
  availableVersions: string[];
}

export const operationQueries = {
  all: () => ["operations"] as const,
  lists: () => [...operationQueries.all(), "list"] as const,
  list: (params: OperationListParams) =>
    pageQuery(
      [...operationQueries.lists(), params],
      async (): Promise<OperationList> =>
        unwrap(
          await api.GET("/api/v1/operations", {
            params: {
              query: {
                page: params.page,
                limit: params.limit,
                environmentId: params.environmentId ?? undefined,
                type: params.type ?? undefined,
                status: params.status ?? undefined,
                userId: params.userId ?? undefined,
              },
            },
          }),
        ),
    ),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...operationQueries.all(), "detail", id],
      queryFn: async (): Promise<Operation> =>
        unwrap(
          await api.GET("/api/v1/operations/{operation_id}", {
            params: { path: { operation_id: id } },
          }),
        ),
    }),
  /** What a restart or an upgrade of an environment would run, secrets masked. */
  preview: (environmentId: string, type: "restart" | "upgrade", version: string | null) =>
    queryOptions({
      queryKey: [...operationQueries.all(), "preview", environmentId, type, version],
      queryFn: async (): Promise<CommandPreview> =>
        unwrap(
          await api.GET("/api/v1/environments/{environment_id}/commands/preview", {
            params: {
              path: { environment_id: environmentId },
              query: { type, version: version ?? undefined },
            },
          }),
        ),
      // The configuration rarely changes while a dialog is open.
      staleTime: 30_000,
    }),
  versions: (environmentId: string) =>
    queryOptions({
      queryKey: [...operationQueries.all(), "versions", environmentId],
      queryFn: async (): Promise<EnvironmentVersions> =>
        unwrap(
          await api.GET("/api/v1/environments/{environment_id}/versions", {
            params: { path: { environment_id: environmentId } },
          }),
        ),
    }),
};

/** Start a restart; the 202 names the operation to follow. */
export async function startRestart(environmentId: string, force: boolean) {
  return unwrap(
    await api.POST("/api/v1/environments/{environment_id}/restart", {
      params: { path: { environment_id: environmentId } },
      body: { force },
    }),
  );
}

/** Start an upgrade to version; the 202 names the operation to follow. */
export async function startUpgrade(environmentId: string, version: string) {
  return unwrap(
    await api.POST("/api/v1/environments/{environment_id}/upgrade", {
      params: { path: { environment_id: environmentId } },
      body: { version, force: false },
    }),
  );
}

/** Cancel a running operation (its requester or an admin); answers the operation. */
export async function cancelOperation(id: string) {
  return unwrap(
    await api.POST("/api/v1/operations/{operation_id}/cancel", {
      params: { path: { operation_id: id } },
    }),
  );
}
