import { appendCheck } from "./sparklinePoints";
import type { HealthPoint } from "./types";

const BUCKET = 120_000;
const WINDOW = 3_600_000;

function point(timestamp: string, overrides: Partial<HealthPoint> = {}): HealthPoint {
  return {
    timestamp,
    checks: 1,
    healthyChecks: 1,
    responseTimeAvg: 100,
    responseTimeMax: 100,
    ...overrides,
  };
}

describe("appendCheck", () => {
  it("adds a check to the bucket that holds its time", () => {
    const points = [point("2025-03-01T10:00:00.000Z")];
    const next = appendCheck(
      points,
      { health: "unhealthy", lastCheck: "2025-03-01T10:01:30Z", responseTime: 300 },
      BUCKET,
      WINDOW,
    );
    expect(next).toEqual([
      point("2025-03-01T10:00:00.000Z", {
        checks: 2,
        healthyChecks: 1,
        responseTimeAvg: 200,
        responseTimeMax: 300,
      }),
    ]);
  });

  it("starts a new bucket and lets the ones older than the window fall off", () => {
    const points = [point("2025-03-01T09:00:00.000Z"), point("2025-03-01T09:58:00.000Z")];
    const next = appendCheck(
      points,
      { health: "healthy", lastCheck: "2025-03-01T10:02:10Z", responseTime: 50 },
      BUCKET,
      WINDOW,
    );
    expect(next.map((p) => p.timestamp)).toEqual([
      "2025-03-01T09:58:00.000Z",
      "2025-03-01T10:02:00.000Z",
    ]);
    expect(next[1]).toMatchObject({ checks: 1, healthyChecks: 1, responseTimeAvg: 50 });
  });

  it("leaves out a check older than the newest bucket, and one with no time", () => {
    const points = [point("2025-03-01T10:00:00.000Z")];
    expect(
      appendCheck(points, { health: "healthy", lastCheck: "2025-03-01T09:50:00Z" }, BUCKET, WINDOW),
    ).toBe(points);
    expect(appendCheck(points, { health: "healthy", lastCheck: null }, BUCKET, WINDOW)).toBe(
      points,
    );
  });

  it("counts a check without a response time (a timeout) without moving the average", () => {
    const points = [point("2025-03-01T10:00:00.000Z")];
    const next = appendCheck(
      points,
      { health: "unhealthy", lastCheck: "2025-03-01T10:00:40Z", responseTime: null },
      BUCKET,
      WINDOW,
    );
    expect(next[0]).toMatchObject({ checks: 2, healthyChecks: 1, responseTimeAvg: 100 });
  });
});
