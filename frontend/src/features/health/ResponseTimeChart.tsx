import { Box, Typography } from "@mui/material";
import { type Theme, useTheme } from "@mui/material/styles";
import { LineChart } from "@mui/x-charts/LineChart";

import { formatResponseTime } from "../../lib/duration";
import type { HealthPoint, HistoryRange } from "./types";

interface ResponseTimeChartProps {
  points: HealthPoint[];
  range: HistoryRange;
  /** The width of each point's bucket, as the history says. */
  bucketSeconds: number;
  height?: number;
}

// Ticks at most one per bucket (no two read the same), labelled as finely as the range needs.
const TICK_LABELS: Record<HistoryRange, Intl.DateTimeFormatOptions> = {
  "1h": { timeStyle: "medium" },
  "24h": { timeStyle: "short" },
  "7d": { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" },
  "30d": { day: "numeric", month: "short" },
};

/** Average and slowest response time per bucket, over the chosen range. */
export default function ResponseTimeChart({
  points,
  range,
  bucketSeconds,
  height = 260,
}: ResponseTimeChartProps) {
  const theme = useTheme<Theme>();
  const timed = points.filter((p) => typeof p.responseTimeAvg === "number");
  if (timed.length === 0) {
    return (
      <Box sx={{ height, display: "grid", placeItems: "center" }}>
        <Typography color="text.secondary">No checks in this period.</Typography>
      </Box>
    );
  }
  return (
    <Box role="figure" aria-label="Response time" data-points={timed.length} sx={{ height }}>
      <LineChart
        height={height}
        skipAnimation
        xAxis={[
          {
            scaleType: "time",
            data: timed.map((p) => new Date(p.timestamp)),
            valueFormatter: (date: Date) => date.toLocaleString("en-GB", TICK_LABELS[range]),
            tickMinStep: bucketSeconds * 1000,
          },
        ]}
        yAxis={[{ valueFormatter: (v: number | null) => formatResponseTime(v) }]}
        series={[
          {
            label: "Average",
            data: timed.map((p) => p.responseTimeAvg ?? null),
            color: theme.palette.primary.main,
            showMark: false,
            curve: "linear",
            valueFormatter: (v) => formatResponseTime(v),
          },
          {
            label: "Slowest",
            data: timed.map((p) => p.responseTimeMax ?? null),
            color: theme.palette.warning.main,
            showMark: false,
            curve: "linear",
            valueFormatter: (v) => formatResponseTime(v),
          },
        ]}
      />
    </Box>
  );
}
