import { Box, Typography } from "@mui/material";
import { type Theme, useTheme } from "@mui/material/styles";
import { LineChart } from "@mui/x-charts/LineChart";
import type { AxisValueFormatterContext } from "@mui/x-charts/models";

import { formatResponseTime } from "../../lib/duration";
import { responseTimeAxis } from "./axisTicks";
import { describeDowntime, downtimeRanges } from "./downtime";
import DowntimeBands from "./DowntimeBands";
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
// How a downtime range's ends are written for each range.
const RANGE_LABELS: Record<HistoryRange, Intl.DateTimeFormatOptions> = {
  "1h": { hour: "2-digit", minute: "2-digit" },
  "24h": { hour: "2-digit", minute: "2-digit" },
  "7d": { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" },
  "30d": { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" },
};
const PERIODS: Record<HistoryRange, string> = {
  "1h": "hour",
  "24h": "24 hours",
  "7d": "7 days",
  "30d": "30 days",
};
// The longest list of downtime ranges written out under the chart (the latest ones).
const MAX_LISTED = 5;

/**
 * Average and slowest response time per bucket over the chosen range, with the ranges where
 * checks failed shaded (red: down, amber: some checks failed) and listed under it.
 */
export default function ResponseTimeChart({
  points,
  range,
  bucketSeconds,
  height = 260,
}: ResponseTimeChartProps) {
  const theme = useTheme<Theme>();
  if (points.length === 0) {
    return (
      <Box sx={{ height, display: "grid", placeItems: "center", textAlign: "center" }}>
        <div>
          <Typography>No checks in the last {PERIODS[range]} yet.</Typography>
          <Typography variant="body2" color="text.secondary">
            The chart fills in as health checks run.
          </Typography>
        </div>
      </Box>
    );
  }
  const bucketMs = bucketSeconds * 1000;
  const timed = points.filter((p) => typeof p.responseTimeAvg === "number");
  const slowest = Math.max(0, ...points.map((p) => p.responseTimeMax ?? p.responseTimeAvg ?? 0));
  const axis = responseTimeAxis(slowest);
  const downtime = downtimeRanges(points, bucketMs);
  const listed = downtime.slice(-MAX_LISTED);
  return (
    <Box>
      <Box role="figure" aria-label="Response time" data-points={timed.length} sx={{ height }}>
        <LineChart
          height={height}
          skipAnimation
          xAxis={[
            {
              scaleType: "time",
              data: points.map((p) => new Date(p.timestamp)),
              valueFormatter: (date: Date) => date.toLocaleString("en-GB", TICK_LABELS[range]),
              tickMinStep: bucketMs,
            },
          ]}
          yAxis={[
            {
              min: 0,
              max: axis.max,
              tickInterval: axis.ticks,
              valueFormatter: (v: number | null, context: AxisValueFormatterContext) => {
                if (v === null) return "";
                return context.location === "tick" ? axis.format(v) : formatResponseTime(v);
              },
            },
          ]}
          series={[
            {
              label: "Average",
              data: points.map((p) => p.responseTimeAvg ?? null),
              color: theme.palette.primary.main,
              showMark: false,
              curve: "linear",
              valueFormatter: (v) => formatResponseTime(v),
            },
            {
              label: "Slowest",
              data: points.map((p) => p.responseTimeMax ?? null),
              color: theme.palette.warning.main,
              showMark: false,
              curve: "linear",
              valueFormatter: (v) => formatResponseTime(v),
            },
          ]}
        >
          <DowntimeBands ranges={downtime} />
        </LineChart>
      </Box>
      {downtime.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No failed checks in the last {PERIODS[range]}.
        </Typography>
      ) : (
        <Box component="section" aria-label="Downtime">
          <Typography variant="body2" color="text.secondary">
            Failed checks (shaded: red when down, amber when some checks failed)
            {downtime.length > MAX_LISTED ? `, the latest ${MAX_LISTED} of ${downtime.length}` : ""}:
          </Typography>
          <Box component="ul" sx={{ m: 0, pl: 3 }}>
            {listed.map((r) => (
              <Typography component="li" variant="body2" key={r.start}>
                {describeDowntime(r, RANGE_LABELS[range])}
              </Typography>
            ))}
          </Box>
        </Box>
      )}
    </Box>
  );
}
