import type { Theme } from "@mui/material/styles";

import type { HealthState } from "./queries";

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

/** The MUI colour name of a health state, for chips. */
export function healthChipColor(health: HealthState): "success" | "error" | "default" {
  if (health === "healthy") return "success";
  if (health === "unhealthy") return "error";
  return "default";
}
