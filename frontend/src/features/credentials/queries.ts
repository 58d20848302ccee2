import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
import type { components } from "../../api/schema";

export type Credential = components["schemas"]["CredentialPublic"];
export type CredentialCreate = components["schemas"]["CredentialCreate"];
export type CredentialUpdate = components["schemas"]["CredentialUpdate"];
export type CredentialKind = components["schemas"]["CredentialKind"];

export const CREDENTIAL_KINDS = ["key", "password"] as const satisfies CredentialKind[];

export const KIND_LABELS: Record<CredentialKind, string> = {
  key: "SSH key",
  password: "Password",
};

export interface CredentialListParams {
  /** 1-based, as the API counts. */
  page: number;
  limit: number;
}

export const credentialQueries = {
  all: () => ["credentials"] as const,
  list: (params: CredentialListParams) =>
    queryOptions({
      queryKey: [...credentialQueries.all(), "list", params],
      queryFn: async () => {
        const { data, error, response } = await api.GET("/api/v1/credentials", {
          params: { query: { page: params.page, limit: params.limit } },
        });
        if (!data) throw ApiError.of(response, error);
        return data;
      },
      placeholderData: keepPreviousData,
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...credentialQueries.all(), "detail", id],
      queryFn: async () => {
        const { data, error, response } = await api.GET("/api/v1/credentials/{credential_id}", {
          params: { path: { credential_id: id } },
        });
        if (!data) throw ApiError.of(response, error);
        return data;
      },
    }),
};

export async function createCredential(body: CredentialCreate): Promise<Credential> {
  const { data, error, response } = await api.POST("/api/v1/credentials", { body });
  if (!data) throw ApiError.of(response, error);
  return data;
}

export async function updateCredential(id: string, body: CredentialUpdate): Promise<Credential> {
  const { data, error, response } = await api.PATCH("/api/v1/credentials/{credential_id}", {
    params: { path: { credential_id: id } },
    body,
  });
  if (!data) throw ApiError.of(response, error);
  return data;
}

export async function deleteCredential(id: string): Promise<void> {
  const { error, response } = await api.DELETE("/api/v1/credentials/{credential_id}", {
    params: { path: { credential_id: id } },
  });
  if (!response.ok) throw ApiError.of(response, error);
}
