import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";

/** One environment's reported version next to the newest it could run (behindBy: null when
 * not known; error: why the version list could not be fetched). */
export type VersionRow = components["schemas"]["VersionRowPublic"];

export interface VersionListParams extends PageRequest {
  q: string;
  /** Only the environments behind their newest listed version. */
  behind: boolean;
}

export const versionQueries = {
  all: () => ["versions"] as const,
  list: (params: VersionListParams) =>
    pageQuery([...versionQueries.all(), "list", params], async () =>
      unwrap(
        await api.GET("/api/v1/versions", {
          params: {
            query: { ...params, q: params.q || undefined, behind: params.behind || undefined },
          },
        }),
      ),
    ),
};
