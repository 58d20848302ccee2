import type { Session, SessionUser } from "../features/auth/session";
import type { Role } from "../lib/roles";

/** The error envelope the API answers with. */
export function apiError(status: number, code: string, message: string, details = {}) {
  return { status, body: { error: { code, message, details } } };
}

export function makeUser(overrides: Partial<SessionUser> = {}): SessionUser {
  const username = overrides.username ?? "ada";
  return {
    id: `id-${username}`,
    username,
    email: `${username}@example.test`,
    role: "admin",
    active: true,
    lastLogin: "2025-03-01T09:30:00Z",
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: null,
    ...overrides,
  };
}

/** A session that has hours left, for a user with this role. */
export function makeSession(role: Role = "admin", token = `token-of-${role}`): Session {
  return {
    token,
    expiresAt: new Date(Date.now() + 12 * 3600_000).toISOString(),
    user: makeUser({ username: role === "admin" ? "ada" : `${role}-vic`, role }),
  };
}

export const HEALTH = { status: 200, body: { status: "healthy", version: "0.1.0" } };
export const READY = {
  status: 200,
  body: { status: "ready", version: "0.1.0", storage: { backend: "sqlite", latencyMs: 0.4 } },
};
