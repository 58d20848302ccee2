import { Chip, CircularProgress } from "@mui/material";

import { PROMOTION_STATUS_LABELS, TARGET_STATUS_LABELS } from "./promotionText";
import type { PromotionStatus, TargetStatus } from "./types";

type ChipColor = "default" | "info" | "success" | "error" | "warning";

const COLORS: Record<PromotionStatus | TargetStatus, ChipColor> = {
  awaiting_approval: "warning",
  pending: "default",
  running: "info",
  succeeded: "success",
  failed: "error",
  rejected: "error",
  cancelled: "default",
  skipped: "default",
  rolling_back: "warning",
  rolled_back: "warning",
};

const LABELS: Record<PromotionStatus | TargetStatus, string> = {
  ...TARGET_STATUS_LABELS,
  ...PROMOTION_STATUS_LABELS,
};

/** A promotion's (or one of its targets') status as a coloured chip, a spinner while it runs. */
export default function PromotionStatusChip({
  status,
}: {
  status: PromotionStatus | TargetStatus;
}) {
  const running = status === "running" || status === "rolling_back";
  return (
    <Chip
      size="small"
      color={COLORS[status] ?? "default"}
      variant={running || status === "pending" ? "outlined" : "filled"}
      label={LABELS[status] ?? status}
      icon={running ? <CircularProgress size={12} color="inherit" /> : undefined}
    />
  );
}
