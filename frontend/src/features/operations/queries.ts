import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
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

export interface OperationListParams extends OperationFilters {
  /** 1-based, as the API counts. */
  page: number;
  limit: number;
}

export interface EnvironmentVersions {
  currentVersion: string | null;
  availableVersions: string[];
}

export const operationQueries = {
  all: () => ["operations"] as const,
  lists: () => [...operationQueries.all(), "list"] as const,
  list: (params: OperationListParams) =>
    queryOptions({
      queryKey: [...operationQueries.lists(), params],
      queryFn: async (): Promise<OperationList> => {
        const { data, error, response } = await api.GET("/api/v1/operations", {
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
        });
        if (!data) throw ApiError.of(response, error);
        return data;
      },
      placeholderData: keepPreviousData,
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...operationQueries.all(), "detail", id],
      queryFn: async (): Promise<Operation> => {
        const { data, error, response } = await api.GET("/api/v1/operations/{operation_id}", {
          params: { path: { operation_id: id } },
        });
        if (!data) throw ApiError.of(response, error);
        return data;
      },
    }),
  /** What a restart or an upgrade of an environment would run, secrets masked. */
  preview: (environmentId: string, type: "restart" | "upgrade", version: string | null) =>
    queryOptions({
      queryKey: [...operationQueries.all(), "preview", environmentId, type, version],
      queryFn: async (): Promise<CommandPreview> => {
        const { data, error, response } = await api.GET(
          "/api/v1/environments/{environment_id}/commands/preview",
          {
            params: {
              path: { environment_id: environmentId },
              query: { type, version: version ?? undefined },
            },
          },
        );
        if (!data) throw ApiError.of(response, error);
        return data;
      },
      // The configuration rarely changes while a dialog is open.
      staleTime: 30_000,
    }),
  versions: (environmentId: string) =>
    queryOptions({
      queryKey: [...operationQueries.all(), "versions", environmentId],
      queryFn: async (): Promise<EnvironmentVersions> => {
        const { data, error, response } = await api.GET(
          "/api/v1/environments/{environment_id}/versions",
          { params: { path: { environment_id: environmentId } } },
        );
        if (!data) throw ApiError.of(response, error);
        return data;
      },
    }),
};

/** Start a restart; the 202 names the operation to follow. */
export async function startRestart(environmentId: string, force: boolean) {
  const { data, error, response } = await api.POST(
    "/api/v1/environments/{environment_id}/restart",
    { params: { path: { environment_id: environmentId } }, body: { force } },
  );
  if (!data) throw ApiError.of(response, error);
  return data;
}

/** Start an upgrade to version; the 202 names the operation to follow. */
export async function startUpgrade(environmentId: string, version: string) {
  const { data, error, response } = await api.POST(
    "/api/v1/environments/{environment_id}/upgrade",
    { params: { path: { environment_id: environmentId } }, body: { version } },
  );
  if (!data) throw ApiError.of(response, error);
  return data;
}

/** Cancel a running operation (its requester or an admin); answers the operation. */
export async function cancelOperation(id: string) {
  const { data, error, response } = await api.POST("/api/v1/operations/{operation_id}/cancel", {
    params: { path: { operation_id: id } },
  });
  if (!data) throw ApiError.of(response, error);
  return data;
}
