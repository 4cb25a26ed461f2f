/**
 * Retry delays: exponential backoff with full jitter, capped, and a server's `Retry-After`
 * honoured when it asks for longer. Pure; `random` is injectable for tests.
 */
export interface BackoffPolicy {
  /** Delay before the second attempt, ms. @default 1000 */
  readonly baseMs: number;
  /** Largest delay, ms. @default 300000 (5 min) */
  readonly maxMs: number;
  /**
   * Longest `Retry-After` honoured, ms: a server asking for more waits this long (the attempt is
   * not lost, it comes sooner than asked). @default 4 × maxMs (20 min with the default policy)
   */
  readonly maxRetryAfterMs?: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 300_000 };

/**
 * Delay after failed attempt `attempt` (1-based): a random value in [d/2, d] where
 * d = min(maxMs, baseMs · 2^(attempt-1)); at least `retryAfterMs` when given, itself capped at
 * `policy.maxRetryAfterMs` (default 4 × maxMs).
 */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs ?? policy.maxMs * 4));
}
