import type { Theme } from "@mui/material/styles";

import type { components } from "../../api/schema";
import type { HealthState } from "./queries";

/** The operation that holds an environment (its activeOperation). */
export type RunningOperation = components["schemas"]["ActiveOperation-Output"];

export const HEALTH_LABELS: Record<HealthState, string> = {
  healthy: "Healthy",
  unhealthy: "Unhealthy",
  unknown: "Unknown",
};

/** A health state's colour, from the theme's palette (never a literal). */
export function healthColor(theme: Theme, health: HealthState): string {
  if (health === "healthy") return theme.palette.success.main;
  if (health === "unhealthy") return theme.palette.error.main;
  return theme.palette.grey[500];
}

/** What an environment holding this operation is doing, as its card says it. */
export function operationLabel(operation: Pick<RunningOperation, "type" | "version">): string {
  const to = operation.version ? ` to ${operation.version}` : "";
  switch (operation.type) {
    case "restart":
      return "Restarting…";
    case "upgrade":
      return `Upgrading${to}…`;
    case "rollback":
      return `Rolling back${to}…`;
    default:
      return "Checking health…";
  }
}

/** The colour of an environment's state: the operation's while one holds it, else its health's. */
export function stateColor(
  theme: Theme,
  health: HealthState,
  operation: RunningOperation | null | undefined,
): string {
  return operation ? theme.palette.info.main : healthColor(theme, health);
}

/** The MUI colour name of a health state, for chips. */
export function healthChipColor(health: HealthState): "success" | "error" | "default" {
  if (health === "healthy") return "success";
  if (health === "unhealthy") return "error";
  return "default";
}
