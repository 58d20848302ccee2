import { Box, Paper, Typography } from "@mui/material";

import { formatUptime } from "../../lib/duration";
import type { UptimeWindow } from "./types";

const LABELS: Record<string, string> = {
  "24h": "24 hours",
  "7d": "7 days",
  "30d": "30 days",
  "90d": "90 days",
};

/** Uptime over 24 h, 7 d, 30 d and 90 d, each with how many checks it rests on. */
export default function UptimeSummary({ windows }: { windows: UptimeWindow[] }) {
  return (
    <Box
      component="dl"
      aria-label="Uptime"
      sx={{
        m: 0,
        display: "grid",
        gap: 2,
        gridTemplateColumns: "repeat(auto-fit, minmax(140px, 1fr))",
      }}
    >
      {windows.map((w) => (
        <Paper key={w.range} variant="outlined" sx={{ p: 2 }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            Uptime, {LABELS[w.range] ?? w.range}
          </Typography>
          <Typography component="dd" variant="h5" sx={{ m: 0 }}>
            {formatUptime(w.uptime)}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {w.checks === 0 ? "No checks" : `${w.healthyChecks} of ${w.checks} checks healthy`}
          </Typography>
        </Paper>
      ))}
    </Box>
  );
}
