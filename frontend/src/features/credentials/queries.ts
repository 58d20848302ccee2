import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";

export type Credential = components["schemas"]["CredentialPublic"];
export type CredentialCreate = components["schemas"]["CredentialCreate"];
export type CredentialUpdate = components["schemas"]["CredentialUpdate"];
export type CredentialKind = components["schemas"]["CredentialKind"];

export const CREDENTIAL_KINDS = ["key", "password"] as const satisfies CredentialKind[];

export const KIND_LABELS: Record<CredentialKind, string> = {
  key: "SSH key",
  password: "Password",
};

export const credentialQueries = {
  all: () => ["credentials"] as const,
  list: (params: PageRequest) =>
    pageQuery([...credentialQueries.all(), "list", params], async () =>
      unwrap(await api.GET("/api/v1/credentials", { params: { query: params } })),
    ),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...credentialQueries.all(), "detail", id],
      queryFn: async () =>
        unwrap(
          await api.GET("/api/v1/credentials/{credential_id}", {
            params: { path: { credential_id: id } },
          }),
        ),
    }),
};

export async function createCredential(body: CredentialCreate): Promise<Credential> {
  return unwrap(await api.POST("/api/v1/credentials", { body }));
}

export async function updateCredential(id: string, body: CredentialUpdate): Promise<Credential> {
  return unwrap(
    await api.PATCH("/api/v1/credentials/{credential_id}", {
      params: { path: { credential_id: id } },
      body,
    }),
  );
}

export async function deleteCredential(id: string): Promise<void> {
  expectOk(
    await api.DELETE("/api/v1/credentials/{credential_id}", {
      params: { path: { credential_id: id } },
    }),
  );
}
