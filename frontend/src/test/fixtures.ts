import type { components } from "../api/schema";
import type { Role } from "../lib/roles";
import type { Session, SessionUser } from "../lib/session";

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
    mustChangePassword: false,
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

/** A list answer of these items under key, as its only page. */
export function onePage(key: string, items: unknown[], limit = 20) {
  const total = items.length;
  return {
    status: 200,
    body: { [key]: items, pagination: { page: 1, limit, total, totalPages: total ? 1 : 0 } },
  };
}

export const HEALTH = { status: 200, body: { status: "healthy", version: "0.1.0" } };
export const READY = {
  status: 200,
  body: { status: "ready", version: "0.1.0", storage: { backend: "sqlite", latencyMs: 0.4 } },
};

/** No environment at all: the list and the summary of an empty Envdeck. */
export const NO_ENVIRONMENTS = {
  "GET /api/v1/environments": {
    status: 200,
    body: { environments: [], pagination: { page: 1, limit: 24, total: 0, totalPages: 0 } },
  },
  "GET /api/v1/environments/summary": {
    status: 200,
    body: { total: 0, byHealth: { healthy: 0, unhealthy: 0, unknown: 0 }, byTag: {} },
  },
};

type Environment = components["schemas"]["EnvironmentPublic"];

/** An environment as the API shows it, named name. */
export function makeEnvironment(name: string, overrides: Partial<Environment> = {}): Environment {
  return {
    id: `env-${name}`.padEnd(24, "0").slice(0, 24),
    name,
    description: `The ${name} environment`,
    environmentURL: `https://${name}.example.test`,
    protected: false,
    tags: ["web"],
    metadata: {},
    status: {
      health: "healthy",
      lastCheck: "2025-03-01T09:30:00Z",
      message: "",
      consecutiveFailures: 0,
    },
    systemInfo: { appVersion: "2.4.1", osVersion: "Debian 12", kernel: "", versionUnverified: false },
    target: { host: `${name}.internal`, port: 22, domain: "", hostKey: "", hostKeyPolicy: "tofu" },
    credentials: { type: "key", username: "deploy", keyId: null },
    timestamps: { createdAt: "2025-01-01T00:00:00Z", updatedAt: null },
    reservationPolicy: "advisory",
    reservations: { current: null, next: null },
    ...overrides,
  };
}

/** A list answer of these environments, as one page. */
export function environmentList(environments: Environment[], total = environments.length) {
  return {
    status: 200,
    body: { environments, pagination: { page: 1, limit: 24, total, totalPages: 1 } },
  };
}

type MaintenanceWindow = components["schemas"]["MaintenanceWindow"];
type ActiveMaintenanceWindow = components["schemas"]["ActiveMaintenanceWindow"];

/** A maintenance window as the API shows it: by default every night at 02:30 in Berlin. */
export function makeMaintenanceWindow(
  name: string,
  overrides: Partial<MaintenanceWindow> = {},
): MaintenanceWindow {
  return {
    id: `mw-${name}`
      .replace(/[^0-9a-z]/g, "0")
      .padEnd(24, "0")
      .slice(0, 24),
    name,
    reason: `The ${name} window`,
    kind: "recurring",
    cron: "30 2 * * *",
    durationMinutes: 60,
    timezone: "Europe/Berlin",
    start: null,
    end: null,
    scope: { environmentIds: [], tags: ["prod"] },
    enabled: true,
    createdBy: { userId: "id-ada", username: "ada" },
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: null,
    ...overrides,
  };
}

/** A list answer of these maintenance windows, as one page. */
export function maintenanceWindowList(windows: MaintenanceWindow[]) {
  return onePage("maintenanceWindows", windows);
}

/** The answer of GET /maintenance-windows/active: these windows run now. */
export function activeMaintenance(windows: Partial<ActiveMaintenanceWindow>[] = []) {
  return {
    status: 200,
    body: {
      windows: windows.map((window, index) => ({
        id: `${index}`.padStart(24, "a"),
        name: "nightly restart",
        reason: "",
        scope: { environmentIds: [], tags: [] },
        start: "2025-03-01T01:30:00Z",
        end: "2025-03-01T02:30:00Z",
        ...window,
      })),
    },
  };
}
