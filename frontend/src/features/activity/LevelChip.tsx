import { Chip } from "@mui/material";

import { LEVEL_LABELS, type LogLevel } from "./filters";

const COLORS = { info: "info", success: "success", warning: "warning", error: "error" } as const;

/** An entry's level as a small chip in the theme's status colour. */
export default function LevelChip({ level }: { level: LogLevel }) {
  return (
    <Chip
      size="small"
      label={LEVEL_LABELS[level]}
      color={COLORS[level]}
      variant={level === "info" ? "outlined" : "filled"}
    />
  );
}
