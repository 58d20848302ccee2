import { Chip, CircularProgress } from "@mui/material";

import { type OperationStatus, STATUS_LABELS } from "./types";

const COLORS: Record<OperationStatus, "default" | "info" | "success" | "error" | "warning"> = {
  pending: "default",
  running: "info",
  succeeded: "success",
  failed: "error",
  cancelled: "default",
  timed_out: "error",
  stop_unconfirmed: "error",
  interrupted: "warning",
};

/** An operation's status as a coloured chip (a spinner while it runs). */
export default function OperationStatusChip({ status }: { status: OperationStatus }) {
  const running = status === "running" || status === "pending";
  return (
    <Chip
      size="small"
      color={COLORS[status]}
      variant={running ? "outlined" : "filled"}
      label={STATUS_LABELS[status] ?? status}
      icon={running ? <CircularProgress size={12} color="inherit" /> : undefined}
    />
  );
}
