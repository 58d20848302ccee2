import { Chip } from "@mui/material";

import { HEALTH_LABELS, healthChipColor } from "./health";
import type { HealthState } from "./queries";

/** An environment's health as a small coloured chip. */
export default function HealthChip({ health }: { health: HealthState }) {
  return (
    <Chip
      size="small"
      label={HEALTH_LABELS[health]}
      color={healthChipColor(health)}
      variant={health === "unknown" ? "outlined" : "filled"}
    />
  );
}
