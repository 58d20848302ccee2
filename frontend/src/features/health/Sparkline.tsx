import { Box } from "@mui/material";
import { type Theme, useTheme } from "@mui/material/styles";
import { SparkLineChart } from "@mui/x-charts/SparkLineChart";

import { formatResponseTime } from "../../lib/duration";
import type { HealthPoint, HealthState } from "./types";

interface SparklineProps {
  points: HealthPoint[] | undefined;
  health: HealthState;
  /** What the chart is of, for screen readers. */
  label: string;
  height?: number;
}

function colour(theme: Theme, health: HealthState): string {
  if (health === "healthy") return theme.palette.success.main;
  if (health === "unhealthy") return theme.palette.error.main;
  return theme.palette.grey[500];
}

/** The last hour's response times as a small line, coloured by the current health. */
export default function Sparkline({ points, health, label, height = 32 }: SparklineProps) {
  const theme = useTheme<Theme>();
  const times = (points ?? [])
    .map((p) => p.responseTimeAvg)
    .filter((v): v is number => typeof v === "number");
  // A single bucket (the first minutes of checks) is drawn as a flat line.
  const data = times.length === 1 ? [times[0]!, times[0]!] : times;
  return (
    <Box role="img" aria-label={label} data-points={times.length} sx={{ height, width: "100%" }}>
      {data.length > 1 && (
        <SparkLineChart
          data={data}
          height={height}
          curve="linear"
          color={colour(theme, health)}
          valueFormatter={(v) => formatResponseTime(v)}
          margin={2}
        />
      )}
    </Box>
  );
}
