import { describeDowntime, downtimeRanges } from "./downtime";
import type { HealthPoint } from "./types";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 7, 14, 0);

function point(minute: number, checks: number, healthyChecks: number): HealthPoint {
  return {
    timestamp: new Date(T0 + minute * MINUTE).toISOString(),
    checks,
    healthyChecks,
    responseTimeAvg: healthyChecks ? 100 : null,
    responseTimeMax: healthyChecks ? 150 : null,
  };
}

describe("downtimeRanges", () => {
  it("merges consecutive unhealthy buckets and tells down from degraded", () => {
    const ranges = downtimeRanges(
      [point(0, 6, 6), point(1, 6, 0), point(2, 6, 0), point(3, 6, 6), point(5, 6, 4)],
      MINUTE,
    );

    expect(ranges).toEqual([
      { start: T0 + MINUTE, end: T0 + 3 * MINUTE, checks: 12, unhealthyChecks: 12, down: true },
      { start: T0 + 5 * MINUTE, end: T0 + 6 * MINUTE, checks: 6, unhealthyChecks: 2, down: false },
    ]);
  });

  it("keeps ranges apart across a bucket without checks", () => {
    expect(downtimeRanges([point(1, 1, 0), point(3, 1, 0)], MINUTE)).toHaveLength(2);
  });

  it("finds nothing when every check was healthy", () => {
    expect(downtimeRanges([point(0, 6, 6), point(1, 6, 6)], MINUTE)).toEqual([]);
  });

  it("describes a range with its times and checks", () => {
    const [range] = downtimeRanges([point(1, 6, 0), point(2, 6, 3)], MINUTE);

    expect(
      describeDowntime(range!, { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }),
    ).toBe("14:01–14:03, degraded (9 of 12 checks unhealthy)");
  });
});
