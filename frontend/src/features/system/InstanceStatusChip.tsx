import { Chip } from "@mui/material";

import type { Instance } from "./queries";

type Look = { label: string; color: "success" | "default" | "error" };

const LOOK: Record<Instance["status"], Look> = {
  live: { label: "Live", color: "success" },
  stopped: { label: "Stopped", color: "default" },
  lost: { label: "Lost", color: "error" },
};

/** Live (heartbeats arriving), Stopped (shut down gracefully) or Lost (heartbeats stopped). */
export default function InstanceStatusChip({ status }: { status: Instance["status"] }) {
  const { label, color } = LOOK[status];
  return (
    <Chip
      size="small"
      color={color}
      label={label}
      variant={status === "live" ? "filled" : "outlined"}
    />
  );
}
