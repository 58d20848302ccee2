/** "0:07", "2:05", "1:02:09": an elapsed time in ms as a clock reads it. */
export function formatElapsed(ms: number): string {
  const total = Math.max(Math.floor(ms / 1000), 0);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** How long an operation ran (durationMs once finished) or has been running (ticking). */
export function elapsedMs(
  operation: { startedAt?: string | null; createdAt?: string | null; durationMs?: number | null },
  now: number,
): number | null {
  if (typeof operation.durationMs === "number") return operation.durationMs;
  const start = operation.startedAt ?? operation.createdAt;
  if (!start) return null;
  return now - new Date(start).getTime();
}
