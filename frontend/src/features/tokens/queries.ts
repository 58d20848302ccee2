import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";

export type ApiToken = components["schemas"]["ApiTokenPublic"];
export type ApiTokenCreate = components["schemas"]["ApiTokenCreate"];
export type ApiTokenCreated = components["schemas"]["ApiTokenCreated"];

export const tokenQueries = {
  all: () => ["tokens"] as const,
  /** The caller's own tokens, one page (1-based). */
  mine: ({ page, limit }: PageRequest) =>
    pageQuery([...tokenQueries.all(), "mine", { page, limit }], async () =>
      unwrap(await api.GET("/api/v1/tokens", { params: { query: { page, limit } } })),
    ),
};

/** Create a token; the answer holds its secret, which the server never shows again. */
export async function createToken(body: ApiTokenCreate): Promise<ApiTokenCreated> {
  return unwrap(await api.POST("/api/v1/tokens", { body }));
}

export async function revokeToken(tokenId: string): Promise<void> {
  expectOk(
    await api.DELETE("/api/v1/tokens/{token_id}", {
      params: { path: { token_id: tokenId } },
    }),
  );
}
