import { hasRole, type Role } from "../../lib/roles";
import { type Environment, TYPE_LABELS } from "./types";

export type OperationKind = "restart" | "upgrade";

/** Whether this reader may start this operation now, and if not, why (for the tooltip). */
export interface Availability {
  allowed: boolean;
  reason: string | null;
}

function configured(environment: Environment, kind: OperationKind): boolean {
  if (kind === "restart") {
    const restart = environment.commands?.restart;
    return Boolean(restart?.enabled && (restart.command || restart.url));
  }
  const upgrade = environment.upgradeConfig;
  const command = upgrade?.upgradeCommand;
  return Boolean(upgrade?.enabled && (command?.command || command?.url));
}

/** The same checks the server makes first (configured, role, protected, busy), in its order. */
export function availability(
  environment: Environment,
  kind: OperationKind,
  role: Role | null,
): Availability {
  const name = kind === "restart" ? "Restart" : "Upgrade";
  if (!configured(environment, kind)) {
    return { allowed: false, reason: `${name} is not configured for this environment` };
  }
  if (role === null || !hasRole(role, "user")) {
    return { allowed: false, reason: "Viewers cannot run operations" };
  }
  if (environment.protected && !hasRole(role, "admin")) {
    return { allowed: false, reason: "This environment is protected: only admins can operate it" };
  }
  const active = environment.activeOperation;
  if (active) {
    const label = TYPE_LABELS[active.type as keyof typeof TYPE_LABELS] ?? active.type;
    return { allowed: false, reason: `Busy: a ${label.toLowerCase()} is running` };
  }
  return { allowed: true, reason: null };
}
