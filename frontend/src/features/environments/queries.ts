import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";

export type Environment = components["schemas"]["EnvironmentPublic"];
export type EnvironmentConfig = components["schemas"]["EnvironmentConfig"];
export type EnvironmentSummary = components["schemas"]["EnvironmentSummary"];
export type HealthState = components["schemas"]["HealthState"];
export type ImportResult = components["schemas"]["ImportResult"];
export type PlannedChange = components["schemas"]["PlannedChangePublic"];

export const HEALTH_STATES = ["healthy", "unhealthy", "unknown"] as const satisfies HealthState[];

export const SORTS = [
  "name",
  "-name",
  "health",
  "-health",
  "lastCheck",
  "-lastCheck",
  "createdAt",
  "-createdAt",
] as const;
export type EnvironmentSort = (typeof SORTS)[number];

export interface EnvironmentListParams {
  /** 1-based, as the API counts. */
  page: number;
  limit: number;
  /** Part of a name, description or URL; empty for all. */
  q: string;
  tag: string | null;
  status: HealthState | null;
  sort: EnvironmentSort;
  /** Only those nobody holds now (true); all when left out. */
  available?: boolean;
}

/** The most environments the grouped view reads: it groups every match, not one page. */
export const GROUPED_LIMIT = 2000;
/** The API's largest page. */
const PAGE_LIMIT = 200;

export type EnvironmentFilterParams = Omit<EnvironmentListParams, "page" | "limit">;

type EnvironmentList = components["schemas"]["EnvironmentList"];

async function listPage(params: EnvironmentListParams): Promise<EnvironmentList> {
  return unwrap(
    await api.GET("/api/v1/environments", {
      params: {
        query: {
          page: params.page,
          limit: params.limit,
          sort: params.sort,
          q: params.q || undefined,
          tag: params.tag ?? undefined,
          status: params.status ?? undefined,
          available: params.available || undefined,
        },
      },
    }),
  );
}

/** Every matching environment up to GROUPED_LIMIT, read a page at a time (the rest at once). */
async function listEvery(filters: EnvironmentFilterParams): Promise<EnvironmentList> {
  const first = await listPage({ ...filters, page: 1, limit: PAGE_LIMIT });
  const total = first.pagination.total;
  const pages = Math.ceil(Math.min(total, GROUPED_LIMIT) / PAGE_LIMIT);
  const rest = await Promise.all(
    Array.from({ length: Math.max(pages - 1, 0) }, (_, index) =>
      listPage({ ...filters, page: index + 2, limit: PAGE_LIMIT }),
    ),
  );
  const environments = [first, ...rest].flatMap((page) => page.environments);
  return {
    environments: environments.slice(0, GROUPED_LIMIT),
    pagination: { page: 1, limit: GROUPED_LIMIT, total, totalPages: total > 0 ? 1 : 0 },
  };
}

export const environmentQueries = {
  all: () => ["environments"] as const,
  list: (params: EnvironmentListParams) =>
    queryOptions({
      queryKey: [...environmentQueries.all(), "list", params],
      queryFn: () => listPage(params),
      // Keep the current page on screen while the next one (or a search) loads.
      placeholderData: keepPreviousData,
    }),
  /**
   * Every environment matching the filters (up to GROUPED_LIMIT), for the grouped view. Under
   * the lists' key, so live updates patch and refetch it as they do the pages.
   */
  every: (filters: EnvironmentFilterParams) =>
    queryOptions({
      queryKey: [
        ...environmentQueries.all(),
        "list",
        { ...filters, page: 1, limit: GROUPED_LIMIT, every: true },
      ],
      queryFn: () => listEvery(filters),
      placeholderData: keepPreviousData,
    }),
  summary: () =>
    queryOptions({
      queryKey: [...environmentQueries.all(), "summary"],
      queryFn: async () => unwrap(await api.GET("/api/v1/environments/summary")),
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...environmentQueries.all(), "detail", id],
      queryFn: async () =>
        unwrap(
          await api.GET("/api/v1/environments/{environment_id}", {
            params: { path: { environment_id: id } },
          }),
        ),
    }),
};

export async function createEnvironment(body: EnvironmentConfig): Promise<Environment> {
  return unwrap(await api.POST("/api/v1/environments", { body }));
}

/** Replace an environment's configuration (a masked secret header value keeps the stored one). */
export async function replaceEnvironment(
  id: string,
  body: EnvironmentConfig,
): Promise<Environment> {
  return unwrap(
    await api.PUT("/api/v1/environments/{environment_id}", {
      params: { path: { environment_id: id } },
      body,
    }),
  );
}

export async function deleteEnvironment(id: string): Promise<void> {
  expectOk(
    await api.DELETE("/api/v1/environments/{environment_id}", {
      params: { path: { environment_id: id } },
    }),
  );
}

/** Every environment as the YAML file the server exports (secrets masked). */
export async function exportEnvironments(): Promise<string> {
  return unwrap(await api.GET("/api/v1/environments/export", { parseAs: "text" }));
}

/** Import a YAML file: only the planned changes with dryRun, else applied all-or-nothing. */
export async function importEnvironments(yaml: string, dryRun: boolean): Promise<ImportResult> {
  return unwrap(
    await api.POST("/api/v1/environments/import", {
      params: { query: { dryRun } },
      body: yaml,
      bodySerializer: (body: string) => body,
      headers: { "Content-Type": "application/yaml" },
    }),
  );
}

/** The per-environment problems of a refused import (details.environments of a 422). */
export interface ImportProblem {
  environment: string;
  errors: string[];
}

export function importProblems(error: unknown): ImportProblem[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details.environments)) return [];
  return error.details.environments.flatMap((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return [];
    const { environment, errors } = entry as { environment?: unknown; errors?: unknown };
    if (!Array.isArray(errors)) return [];
    return [
      {
        environment: typeof environment === "string" ? environment : "(unnamed)",
        errors: errors.filter((e): e is string => typeof e === "string"),
      },
    ];
  });
}
