import { Typography } from "@mui/material";

import { formatDuration } from "../../lib/duration";
import { useNow } from "../../lib/useNow";
import type { HealthState } from "./types";

const WORDS: Record<HealthState, string> = {
  healthy: "Healthy",
  unhealthy: "Unhealthy",
  unknown: "Unknown",
};

interface HealthSinceProps {
  health: HealthState;
  /** When the environment last changed health (status.since). */
  since: string | null | undefined;
}

/** "Unhealthy for 5 m", ticking while shown; nothing when the change time is not known. */
export default function HealthSince({ health, since }: HealthSinceProps) {
  const now = useNow();
  const at = since ? new Date(since).getTime() : Number.NaN;
  if (Number.isNaN(at)) return null;
  return (
    <Typography variant="caption" color="text.secondary" title={new Date(at).toLocaleString()}>
      {WORDS[health]} for {formatDuration(now - at)}
    </Typography>
  );
}
