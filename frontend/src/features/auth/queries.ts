import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { clearSession, type Session } from "../../lib/session";

export type LoginRequest = components["schemas"]["LoginRequest"];
export type SetupRequest = components["schemas"]["SetupRequest"];
export type PasswordChange = components["schemas"]["PasswordChange"];

export const authQueries = {
  /** Whether the first admin is still to be created; once it is, that never changes. */
  setupStatus: () =>
    queryOptions({
      queryKey: ["setup"],
      queryFn: async () => unwrap(await api.GET("/api/v1/setup")),
      staleTime: (query) => (query.state.data?.needsSetup === false ? Infinity : 0),
    }),
  /** The signed-in user as the server has them now (the profile). */
  me: () =>
    queryOptions({
      queryKey: ["auth", "me"],
      queryFn: async () => unwrap(await api.GET("/api/v1/auth/me")),
    }),
};

export async function login(body: LoginRequest): Promise<Session> {
  return unwrap(await api.POST("/api/v1/auth/login", { body }));
}

export async function completeSetup(body: SetupRequest): Promise<Session> {
  return unwrap(await api.POST("/api/v1/setup", { body }));
}

/** Revoke the session's token on the server. */
export async function logout(): Promise<void> {
  expectOk(await api.POST("/api/v1/auth/logout"));
}

/** Change one's own password; every session ends, so the answer is a new session. */
export async function changePassword(body: PasswordChange): Promise<Session> {
  return unwrap(await api.POST("/api/v1/users/password/change", { body }));
}

/**
 * Sign out: revoke the token on the server, then forget it here. Forgetting it never waits on
 * the server: if the server cannot be reached, the token still dies at its expiry.
 */
export async function signOut(): Promise<void> {
  try {
    await logout();
  } catch {
    // Signed out here all the same.
  } finally {
    clearSession();
  }
}
