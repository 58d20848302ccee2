import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../api/unwrap";

/** One environment's reported version next to the newest it could run (behindBy: null when
 * not known; error: why the version list could not be fetched). */
export type VersionRow = components["schemas"]["VersionRowPublic"];

export interface VersionListParams {
  /** 1-based, as the API counts. */
  page: number;
  limit: number;
  q: string;
}

export const versionQueries = {
  all: () => ["versions"] as const,
  list: (params: VersionListParams) =>
    queryOptions({
      queryKey: [...versionQueries.all(), "list", params],
      queryFn: async () =>
        unwrap(
          await api.GET("/api/v1/versions", {
            params: {
              query: { page: params.page, limit: params.limit, q: params.q || undefined },
            },
          }),
        ),
      placeholderData: keepPreviousData,
    }),
};
