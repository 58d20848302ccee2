import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import type {
  CheckResult,
  HealthCheckDraft,
  HealthHistory,
  HealthPoint,
  HealthSample,
  HistoryRange,
  Uptime,
} from "./types";

/** The most ids one sparklines request may carry (the API's limit). */
export const SPARKLINE_BATCH = 200;
/** Sparklines cover the last hour in buckets of this many milliseconds (as the API sends). */
export const SPARKLINE_BUCKET_MS = 120_000;
export const SPARKLINE_WINDOW_MS = 3_600_000;
const SPARKLINE_REFRESH_MS = 60_000;

export type Sparklines = Record<string, HealthPoint[]>;

export const healthQueries = {
  all: () => ["health"] as const,
  /** Everything cached about one environment's health (to refresh after a check). */
  ofEnvironment: (id: string) => [...healthQueries.all(), "environment", id] as const,
  history: (id: string, range: HistoryRange) =>
    queryOptions({
      queryKey: [...healthQueries.ofEnvironment(id), "history", range],
      queryFn: async (): Promise<HealthHistory> =>
        unwrap(
          await api.GET("/api/v1/environments/{environment_id}/health/history", {
            params: { path: { environment_id: id }, query: { range } },
          }),
        ),
    }),
  uptime: (id: string) =>
    queryOptions({
      queryKey: [...healthQueries.ofEnvironment(id), "uptime"],
      queryFn: async (): Promise<Uptime> =>
        unwrap(
          await api.GET("/api/v1/environments/{environment_id}/uptime", {
            params: { path: { environment_id: id } },
          }),
        ),
    }),
  checks: (id: string, limit = 20) =>
    queryOptions({
      queryKey: [...healthQueries.ofEnvironment(id), "checks", limit],
      queryFn: async (): Promise<HealthSample[]> => {
        const data = unwrap(
          await api.GET("/api/v1/environments/{environment_id}/health/checks", {
            params: { path: { environment_id: id }, query: { limit } },
          }),
        );
        return data.checks;
      },
    }),
  sparklinesAll: () => [...healthQueries.all(), "sparklines"] as const,
  /** The last hour of these environments (one request for a page of cards). */
  sparklines: (ids: string[]) =>
    queryOptions({
      queryKey: [...healthQueries.sparklinesAll(), ids],
      queryFn: async (): Promise<Sparklines> => {
        const data = unwrap(
          await api.GET("/api/v1/sparklines", {
            params: { query: { ids: ids.join(",") } },
          }),
        );
        // Every id asked for gets a line (empty when it has no check yet), so live checks
        // have one to extend.
        return Object.fromEntries(ids.map((id) => [id, data.sparklines[id] ?? []]));
      },
      enabled: ids.length > 0,
      refetchInterval: SPARKLINE_REFRESH_MS,
      // A chart that is a minute old is still worth showing while the next one loads.
      staleTime: SPARKLINE_REFRESH_MS,
    }),
};

/** Check an environment now (joining a check in flight); it also updates its status. */
export async function checkHealthNow(id: string): Promise<CheckResult> {
  return unwrap(
    await api.POST("/api/v1/environments/{environment_id}/check-health", {
      params: { path: { environment_id: id } },
    }),
  );
}

/**
 * Run a health check of a configuration that is not saved (the form's Test button); with
 * environmentId, masked header values are taken from that environment's stored ones.
 */
export async function testHealthCheck(
  { healthCheck, environmentURL }: HealthCheckDraft,
  environmentId: string | null,
): Promise<CheckResult> {
  return unwrap(
    await api.POST("/api/v1/health-checks/test", {
      body: {
        healthCheck,
        ...(environmentId ? { environmentId } : {}),
        ...(environmentURL ? { environmentURL } : {}),
      },
    }),
  );
}
