import { Box, Stack, Typography } from "@mui/material";
import { type Theme, useTheme } from "@mui/material/styles";
import { SparkLineChart } from "@mui/x-charts/SparkLineChart";

import { formatResponseTime } from "../../lib/duration";
import { downtimeRanges } from "./downtime";
import DowntimeBands from "./DowntimeBands";
import { SPARKLINE_BUCKET_MS, SPARKLINE_WINDOW_MS } from "./queries";
import { useSharedMax, useSparklineScale } from "./sparklineScale";
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

/** "6 min failing": how long the checks of the window failed, to the bucket. */
function failingFor(minutes: number): string {
  return minutes < 1 ? "<1 min failing" : `${Math.round(minutes)} min failing`;
}

/**
 * The last hour's response times as a small line coloured by the current health, the time
 * its checks failed shaded on it, and beside it the figures: the latest bucket's average, the slowest
 * check, and how long checks failed. Each card has its own scale unless the reader chose one
 * shared scale (SparklineScaleToggle): the figures compare cards either way.
 */
export default function Sparkline({ points, health, label, height = 32 }: SparklineProps) {
  const theme = useTheme<Theme>();
  const [scale] = useSparklineScale();
  const sharedMax = useSharedMax();
  const all = points ?? [];
  const timed = all.filter((p) => typeof p.responseTimeAvg === "number");
  const times = timed.map((p) => p.responseTimeAvg!);
  // A single bucket (the first minutes of checks) is drawn as a flat line.
  const data = times.length === 1 ? [times[0]!, times[0]!] : times;
  const dates = timed.map((p) => new Date(p.timestamp));
  if (dates.length === 1) dates.push(new Date(dates[0]!.getTime() + SPARKLINE_BUCKET_MS));
  const downtime = downtimeRanges(all, SPARKLINE_BUCKET_MS);
  const failingMs = downtime.reduce((sum, r) => sum + r.end - r.start, 0);
  const slowest = Math.max(...timed.map((p) => p.responseTimeMax ?? p.responseTimeAvg!));
  const newest = all.length ? new Date(all.at(-1)!.timestamp).getTime() + SPARKLINE_BUCKET_MS : 0;
  // On the shared scale, from 0 to the highest average on screen: lines compare across cards.
  const top = scale === "shared" && sharedMax !== null ? Math.max(sharedMax, ...times) : null;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: "center", height }}>
      <Box
        role="img"
        aria-label={label}
        data-points={times.length}
        data-downtime={downtime.length}
        data-scale-max={top ?? undefined}
        sx={{ height, flex: "1 1 auto", minWidth: 0 }}
      >
        {data.length > 1 && (
          <SparkLineChart
            data={data}
            xAxis={{
              scaleType: "time",
              data: dates,
              min: new Date(newest - SPARKLINE_WINDOW_MS),
              max: new Date(newest),
            }}
            {...(top !== null ? { yAxis: { min: 0, max: top } } : {})}
            height={height}
            curve="linear"
            color={colour(theme, health)}
            valueFormatter={(v) => formatResponseTime(v)}
            margin={2}
          >
            <DowntimeBands ranges={downtime} />
          </SparkLineChart>
        )}
      </Box>
      {points && all.length === 0 && (
        <Typography variant="caption" color="text.secondary" sx={{ flexShrink: 0 }}>
          No checks in the last hour yet
        </Typography>
      )}
      {times.length > 0 && (
        <Stack sx={{ flexShrink: 0, alignItems: "flex-end", lineHeight: 1.2 }}>
          <Typography variant="caption" sx={{ lineHeight: 1.2 }}>
            {`now ${formatResponseTime(times.at(-1))}`}
          </Typography>
          <Typography variant="caption" color="text.secondary" sx={{ lineHeight: 1.2 }}>
            {`max ${formatResponseTime(slowest)}`}
          </Typography>
        </Stack>
      )}
      {failingMs > 0 && (
        <Typography variant="caption" color="error" sx={{ flexShrink: 0 }}>
          {failingFor(failingMs / 60_000)}
        </Typography>
      )}
    </Stack>
  );
}
