import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";

export type MaintenanceWindow = components["schemas"]["MaintenanceWindow"];
export type MaintenanceWindowSpec = components["schemas"]["MaintenanceWindowSpec"];
export type MaintenanceSchedule = components["schemas"]["MaintenanceSchedule"];
export type MaintenanceKind = components["schemas"]["MaintenanceKind"];
export type MaintenanceScope = components["schemas"]["MaintenanceScope"];
export type MaintenanceOccurrence = components["schemas"]["MaintenanceOccurrence"];
export type ActiveMaintenanceWindow = components["schemas"]["ActiveMaintenanceWindow"];

export const KIND_LABELS: Record<MaintenanceKind, string> = {
  "one-off": "One-off",
  recurring: "Recurring",
};

/** How often the running windows are asked for again: cards show a badge within this delay. */
export const ACTIVE_REFETCH_MS = 30_000;

export const maintenanceQueries = {
  all: () => ["maintenance"] as const,
  list: (params: PageRequest) =>
    pageQuery([...maintenanceQueries.all(), "list", params], async () =>
      unwrap(await api.GET("/api/v1/maintenance-windows", { params: { query: params } })),
    ),
  /** The next run of a saved window (the running one if any), or null when none is left. */
  nextRun: (id: string) =>
    queryOptions({
      queryKey: [...maintenanceQueries.all(), "nextRun", id],
      queryFn: async () => {
        const data = unwrap(
          await api.GET("/api/v1/maintenance-windows/{window_id}/preview", {
            params: { path: { window_id: id }, query: { count: 1 } },
          }),
        );
        return data.occurrences[0] ?? null;
      },
    }),
  /** The windows running now, each with its current run; polled so badges come and go. */
  active: () =>
    queryOptions({
      queryKey: [...maintenanceQueries.all(), "active"],
      queryFn: async () => {
        const data = unwrap(await api.GET("/api/v1/maintenance-windows/active"));
        return data.windows;
      },
      refetchInterval: ACTIVE_REFETCH_MS,
    }),
};

export async function createWindow(body: MaintenanceWindowSpec): Promise<MaintenanceWindow> {
  return unwrap(await api.POST("/api/v1/maintenance-windows", { body }));
}

export async function replaceWindow(
  id: string,
  body: MaintenanceWindowSpec,
): Promise<MaintenanceWindow> {
  return unwrap(
    await api.PUT("/api/v1/maintenance-windows/{window_id}", {
      params: { path: { window_id: id } },
      body,
    }),
  );
}

export async function setWindowEnabled(id: string, enabled: boolean): Promise<MaintenanceWindow> {
  return unwrap(
    await api.PATCH("/api/v1/maintenance-windows/{window_id}", {
      params: { path: { window_id: id } },
      body: { enabled },
    }),
  );
}

export async function deleteWindow(id: string): Promise<void> {
  expectOk(
    await api.DELETE("/api/v1/maintenance-windows/{window_id}", {
      params: { path: { window_id: id } },
    }),
  );
}

/** The next runs of a schedule that is not saved yet (the form's live preview). */
export async function previewSchedule(
  schedule: MaintenanceSchedule,
  count: number,
  signal?: AbortSignal,
): Promise<MaintenanceOccurrence[]> {
  const data = unwrap(
    await api.POST("/api/v1/maintenance-windows/preview", {
      params: { query: { count } },
      body: schedule,
      signal,
    }),
  );
  return data.occurrences;
}
