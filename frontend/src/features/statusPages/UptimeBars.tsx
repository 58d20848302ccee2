import { Box, Tooltip } from "@mui/material";

import type { UptimeDay } from "./queries";
import { daysWithDowntime, describeDay, uptimeColor } from "./uptime";

interface UptimeBarsProps {
  /** The environment the bars are of (names the picture for screen readers). */
  name: string;
  days: UptimeDay[];
}

/** One bar per day, oldest first; hover (or focus the row) to read a day. */
export default function UptimeBars({ name, days }: UptimeBarsProps) {
  const down = daysWithDowntime(days);
  const checked = days.filter((day) => day.checks > 0).length;
  const summary =
    checked === 0
      ? `${name}: no checks in the last ${days.length} days`
      : `${name}: ${down === 0 ? "no downtime" : `downtime on ${down} of ${checked} days checked`} in the last ${days.length} days`;
  return (
    <Box
      role="img"
      aria-label={summary}
      sx={{ display: "flex", gap: "2px", alignItems: "stretch", height: 28, width: "100%" }}
    >
      {days.map((day) => (
        <Tooltip key={day.date} title={describeDay(day)} describeChild disableInteractive>
          <Box
            data-uptime={day.uptime ?? "none"}
            sx={{
              flex: "1 1 0",
              minWidth: 0,
              borderRadius: 0.5,
              bgcolor: (theme) => uptimeColor(theme, day.uptime),
            }}
          />
        </Tooltip>
      ))}
    </Box>
  );
}
