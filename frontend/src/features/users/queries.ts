import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";

export type User = components["schemas"]["UserPublic"];
export type UserCreate = components["schemas"]["UserCreate"];
export type UserUpdate = components["schemas"]["UserUpdate"];

export interface UserListParams extends PageRequest {
  /** Part of a username or email; empty for everyone. */
  q: string;
}

export const userQueries = {
  all: () => ["users"] as const,
  list: (params: UserListParams) =>
    pageQuery([...userQueries.all(), "list", params], async () =>
      unwrap(
        await api.GET("/api/v1/users", {
          params: { query: { ...params, q: params.q || undefined } },
        }),
      ),
    ),
};

export async function createUser(body: UserCreate): Promise<User> {
  return unwrap(await api.POST("/api/v1/users", { body }));
}

export async function updateUser(userId: string, body: UserUpdate): Promise<User> {
  return unwrap(
    await api.PATCH("/api/v1/users/{user_id}", {
      params: { path: { user_id: userId } },
      body,
    }),
  );
}

export async function deleteUser(userId: string): Promise<void> {
  expectOk(
    await api.DELETE("/api/v1/users/{user_id}", {
      params: { path: { user_id: userId } },
    }),
  );
}

/** Set a user's password; their sessions end. */
export async function resetPassword(userId: string, password: string): Promise<void> {
  expectOk(
    await api.POST("/api/v1/users/{user_id}/password/reset", {
      params: { path: { user_id: userId } },
      body: { password },
    }),
  );
}

/** Clear a user's failed sign-ins from every address, so a lock on them ends now. */
export async function unlockSignIn(userId: string): Promise<void> {
  expectOk(
    await api.POST("/api/v1/users/{user_id}/unlock", {
      params: { path: { user_id: userId } },
    }),
  );
}
