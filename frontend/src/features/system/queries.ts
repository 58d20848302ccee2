import { queryOptions } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
import type { components } from "../../api/schema";

export type Ready = components["schemas"]["ReadyPublic"];
export type InstanceList = components["schemas"]["InstanceList"];
export type Instance = components["schemas"]["InstancePublic"];

/** Readiness as the page shows it: ready with details, or not ready with the reason. */
export type Readiness =
  | { ready: true; status: Ready }
  | { ready: false; message: string; backend: string | null };

const REFRESH_MS = 10_000;
// Heartbeats come every few seconds (cluster.heartbeatInterval): follow them closely.
const INSTANCES_REFRESH_MS = 5_000;

export const systemQueries = {
  health: () =>
    queryOptions({
      queryKey: ["system", "health"],
      queryFn: async () => {
        const { data, error, response } = await api.GET("/api/v1/health");
        if (!data) throw new ApiError(response.status, error);
        return data;
      },
      refetchInterval: REFRESH_MS,
    }),
  readiness: () =>
    queryOptions({
      queryKey: ["system", "ready"],
      queryFn: async (): Promise<Readiness> => {
        const { data, error, response } = await api.GET("/api/v1/ready");
        if (data) return { ready: true, status: data };
        if (response.status === 503 && error) {
          const backend = error.error.details?.backend;
          return {
            ready: false,
            message: error.error.message,
            backend: typeof backend === "string" ? backend : null,
          };
        }
        throw new ApiError(response.status, error);
      },
      refetchInterval: REFRESH_MS,
    }),
  /** The instances seen in the last day (admins only: `enabled` says whether to ask). */
  instances: (enabled: boolean) =>
    queryOptions({
      queryKey: ["system", "instances"],
      queryFn: async (): Promise<InstanceList> => {
        const { data, error, response } = await api.GET("/api/v1/system/instances");
        if (!data) throw new ApiError(response.status, error);
        return data;
      },
      enabled,
      refetchInterval: INSTANCES_REFRESH_MS,
    }),
};
