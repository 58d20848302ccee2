const UNITS: [number, string][] = [
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "m"],
  [1_000, "s"],
];

/** "45 s", "5 m", "2 h", "3 d": the largest whole unit of a duration (never negative). */
export function formatDuration(ms: number): string {
  const safe = Math.max(ms, 0);
  for (const [size, unit] of UNITS) {
    if (safe >= size) return `${Math.floor(safe / size)} ${unit}`;
  }
  return "0 s";
}

/** A response time as people read it: "85 ms", "1.2 s". */
export function formatResponseTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** An uptime percentage: "99.95 %", "100 %"; a dash when there was no check. */
export function formatUptime(percent: number | null | undefined): string {
  if (percent === null || percent === undefined) return "—";
  if (percent >= 100) return "100 %";
  return `${(Math.floor(percent * 100) / 100).toFixed(2)} %`;
}
