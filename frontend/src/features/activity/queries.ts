import { type QueryClient, queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";
import { type ActivityFilters, apiFilters, type LogEntry } from "./filters";

export type LogList = components["schemas"]["LogList"];
export type UnreadLogs = components["schemas"]["UnreadLogsPublic"];

export interface LogListParams extends PageRequest {
  /** The environment whose log this is (its Activity tab), or null for the whole log. */
  scope: string | null;
  filters: ActivityFilters;
}

/** How many of the newest entries that need a person the notifications menu shows. */
export const LATEST_COUNT = 8;
/** The server counts unread entries (those that need a person) up to this many. */
export const UNREAD_CAP = 1000;

export const logQueries = {
  all: () => ["logs"] as const,
  lists: () => [...logQueries.all(), "list"] as const,
  list: (params: LogListParams) =>
    pageQuery([...logQueries.lists(), params], () => fetchPage(params)),
  /**
   * The newest entries that need a person (the server's rules: unhealthy transitions, failed
   * operations, reservations that ended or were broken…): what the bell lists.
   */
  latest: () =>
    queryOptions({
      queryKey: [...logQueries.all(), "latest"],
      queryFn: async () => {
        const data = unwrap(
          await api.GET("/api/v1/logs", {
            params: { query: { page: 1, limit: LATEST_COUNT, attention: true } },
          }),
        );
        return data.logs;
      },
    }),
  unread: () =>
    queryOptions({
      queryKey: [...logQueries.all(), "unread"],
      queryFn: async () => unwrap(await api.GET("/api/v1/logs/unread")),
    }),
};

async function fetchPage({ scope, filters, page, limit }: LogListParams): Promise<LogList> {
  const query = { ...apiFilters(filters), page, limit };
  return unwrap(
    scope === null
      ? await api.GET("/api/v1/logs", { params: { query } })
      : await api.GET("/api/v1/environments/{environment_id}/logs", {
          params: {
            path: { environment_id: scope },
            query: { ...query, environmentId: undefined },
          },
        }),
  );
}

/** Put a live entry at the top of a cached first page (unless it is there already). */
export function prependEntry(
  queryClient: QueryClient,
  params: LogListParams,
  entry: LogEntry,
): boolean {
  let added = false;
  queryClient.setQueryData(logQueries.list(params).queryKey, (list) => {
    if (!list || list.logs.some((e) => e.id === entry.id)) return list;
    added = true;
    const total = list.pagination.total + 1;
    return {
      logs: [entry, ...list.logs].slice(0, params.limit),
      pagination: { ...list.pagination, total, totalPages: Math.ceil(total / params.limit) },
    };
  });
  return added;
}

/** Reset the signed-in user's unread count: everything up to now is read. */
export async function markAllRead(): Promise<void> {
  expectOk(await api.POST("/api/v1/logs/read"));
}

const FILENAME = /filename="?([^";]+)"?/;

/** The filtered log as a CSV file: its name (from the server) and contents. */
export async function exportLogs(
  scope: string | null,
  filters: ActivityFilters,
): Promise<{ filename: string; blob: Blob }> {
  const query = {
    ...apiFilters(filters),
    environmentId: scope ?? filters.environmentId ?? undefined,
  };
  const answer = await api.GET("/api/v1/logs/export", {
    params: { query: { ...query, format: "csv" } },
    parseAs: "blob",
  });
  const blob = unwrap(answer);
  const disposition = answer.response.headers.get("Content-Disposition") ?? "";
  return { filename: FILENAME.exec(disposition)?.[1] ?? "activity-log.csv", blob };
}
