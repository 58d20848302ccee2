export interface BackoffPolicy {
  /** The ceiling of the first retry's delay. */
  baseMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };

/**
 * The delay before retry number attempt (0 for the first): exponential, capped, with "equal
 * jitter" (half the ceiling plus a random part of the other half). The jitter spreads the
 * reconnects of every browser that lost the server at once (a restart), and the fixed half
 * keeps one browser from hammering it with near-zero delays.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(attempt, 0));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
