import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";

export type StatusPage = components["schemas"]["StatusPage"];
export type StatusPageSpec = components["schemas"]["StatusPageSpec"];
export type StatusPageView = components["schemas"]["StatusPageView"];
export type StatusPageEnvironment = components["schemas"]["StatusPageEnvironment"];
export type UptimeDay = components["schemas"]["UptimeDay"];

/** How often an open status page asks again (the server caches a page for 15 s). */
export const VIEW_REFETCH_MS = 30_000;

export const statusPageQueries = {
  all: () => ["statusPages"] as const,
  list: (params: PageRequest) =>
    pageQuery([...statusPageQueries.all(), "list", params], async () =>
      unwrap(await api.GET("/api/v1/status-pages", { params: { query: params } })),
    ),
  /** A page as its readers see it; anyone may read a public one. */
  view: (slug: string) =>
    queryOptions({
      queryKey: [...statusPageQueries.all(), "view", slug],
      queryFn: async () =>
        unwrap(await api.GET("/api/v1/status/{slug}", { params: { path: { slug } } })),
      refetchInterval: VIEW_REFETCH_MS,
    }),
};

export async function createStatusPage(body: StatusPageSpec): Promise<StatusPage> {
  return unwrap(await api.POST("/api/v1/status-pages", { body }));
}

export async function replaceStatusPage(id: string, body: StatusPageSpec): Promise<StatusPage> {
  return unwrap(
    await api.PUT("/api/v1/status-pages/{page_id}", { params: { path: { page_id: id } }, body }),
  );
}

export async function deleteStatusPage(id: string): Promise<void> {
  expectOk(
    await api.DELETE("/api/v1/status-pages/{page_id}", { params: { path: { page_id: id } } }),
  );
}
