import { Chip, CircularProgress } from "@mui/material";

import { HEALTH_LABELS, healthChipColor, operationLabel, type RunningOperation } from "./health";
import type { HealthState } from "./queries";

interface HealthChipProps {
  health: HealthState;
  /** The operation that holds the environment now (its activeOperation), if any. */
  operation?: RunningOperation | null;
}

/**
 * An environment's health as a small coloured chip; while an operation holds it, what that
 * operation is doing instead ("Upgrading to 2.5.0…"): its checks are held meanwhile, so the
 * health says nothing new, and a restarting environment is not a failing one.
 */
export default function HealthChip({ health, operation }: HealthChipProps) {
  if (operation) {
    return (
      <Chip
        size="small"
        color="info"
        variant="outlined"
        label={operationLabel(operation)}
        icon={<CircularProgress size={12} color="inherit" aria-hidden />}
      />
    );
  }
  return (
    <Chip
      size="small"
      label={HEALTH_LABELS[health]}
      color={healthChipColor(health)}
      variant={health === "unknown" ? "outlined" : "filled"}
    />
  );
}
