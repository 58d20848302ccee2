import type { Theme } from "@mui/material/styles";

import type { UptimeDay } from "./queries";

/** A day's bar colour from the theme: no checks grey, all healthy green, then worse. */
export function uptimeColor(theme: Theme, uptime: number | null): string {
  if (uptime === null) return theme.palette.action.disabledBackground;
  if (uptime >= 99.9) return theme.palette.success.main;
  if (uptime >= 95) return theme.palette.warning.main;
  return theme.palette.error.main;
}

/** "99.95 %", or "No data" when nothing was checked. */
export function formatUptime(uptime: number | null | undefined): string {
  if (uptime === null || uptime === undefined) return "No data";
  return `${uptime.toFixed(uptime === 100 ? 0 : 2)} %`;
}

/** What one bar says on hover and to a screen reader. */
export function describeDay(day: UptimeDay): string {
  if (day.checks === 0) return `${day.date}: no checks`;
  const checks = day.checks === 1 ? "1 check" : `${day.checks} checks`;
  return `${day.date}: ${formatUptime(day.uptime)} healthy (${checks})`;
}

/** How many of the days had checks that were not all healthy. */
export function daysWithDowntime(days: UptimeDay[]): number {
  return days.filter((day) => day.uptime !== null && day.uptime < 100).length;
}
