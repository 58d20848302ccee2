import type { HealthPoint, HealthStatus } from "./types";

/**
 * Add one check (a live status update) to a sparkline's points: into the bucket that holds
 * its time, or as a new bucket at the end; buckets older than the window fall off. A check
 * already counted (same or older lastCheck than the newest point's end) is left out.
 */
export function appendCheck(
  points: HealthPoint[],
  status: Pick<HealthStatus, "health" | "lastCheck" | "responseTime">,
  bucketMs: number,
  windowMs: number,
): HealthPoint[] {
  if (!status.lastCheck) return points;
  const at = new Date(status.lastCheck).getTime();
  if (Number.isNaN(at)) return points;
  const healthy = status.health === "healthy" ? 1 : 0;
  const time = status.responseTime ?? null;
  const start = Math.floor(at / bucketMs) * bucketMs;
  const last = points.at(-1);
  const lastStart = last ? new Date(last.timestamp).getTime() : Number.NEGATIVE_INFINITY;
  let next: HealthPoint[];
  if (last && lastStart === start) {
    next = [...points.slice(0, -1), merge(last, healthy, time)];
  } else if (start > lastStart) {
    const point: HealthPoint = {
      timestamp: new Date(start).toISOString(),
      checks: 1,
      healthyChecks: healthy,
      responseTimeAvg: time,
      responseTimeMax: time,
    };
    next = [...points, point];
  } else {
    return points;
  }
  const oldest = at - windowMs;
  return next.filter((p) => new Date(p.timestamp).getTime() + bucketMs > oldest);
}

function merge(point: HealthPoint, healthy: number, time: number | null): HealthPoint {
  const avg = point.responseTimeAvg ?? null;
  const timed = avg === null ? 0 : point.checks;
  return {
    ...point,
    checks: point.checks + 1,
    healthyChecks: point.healthyChecks + healthy,
    responseTimeAvg:
      time === null ? avg : avg === null ? time : (avg * timed + time) / (timed + 1),
    responseTimeMax:
      time === null ? point.responseTimeMax : Math.max(point.responseTimeMax ?? 0, time),
  };
}
