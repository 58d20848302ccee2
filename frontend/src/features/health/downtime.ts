import type { HealthPoint } from "./types";

/** A stretch of consecutive buckets with unhealthy checks: [start, end) in epoch ms. */
export interface DowntimeRange {
  start: number;
  end: number;
  checks: number;
  unhealthyChecks: number;
  /** Every check in it was unhealthy (down), rather than some (degraded). */
  down: boolean;
}

/**
 * The ranges where checks found the environment unhealthy, oldest first: each bucket with an
 * unhealthy check, merged with the next when that one follows straight on and has one too.
 */
export function downtimeRanges(points: HealthPoint[], bucketMs: number): DowntimeRange[] {
  const ranges: DowntimeRange[] = [];
  for (const point of points) {
    const unhealthy = point.checks - point.healthyChecks;
    if (unhealthy <= 0) continue;
    const start = new Date(point.timestamp).getTime();
    const last = ranges.at(-1);
    if (last && last.end === start) {
      last.end = start + bucketMs;
      last.checks += point.checks;
      last.unhealthyChecks += unhealthy;
      last.down = last.down && unhealthy === point.checks;
    } else {
      ranges.push({
        start,
        end: start + bucketMs,
        checks: point.checks,
        unhealthyChecks: unhealthy,
        down: unhealthy === point.checks,
      });
    }
  }
  return ranges;
}

/** "14:05–14:17, down (12 of 12 checks)" in the reader's time zone. */
export function describeDowntime(
  range: DowntimeRange,
  format: Intl.DateTimeFormatOptions,
): string {
  const at = (ms: number) => new Date(ms).toLocaleString("en-GB", format);
  const state = range.down ? "down" : "degraded";
  return `${at(range.start)}–${at(range.end)}, ${state} (${range.unhealthyChecks} of ${range.checks} checks unhealthy)`;
}
