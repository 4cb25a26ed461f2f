/**
 * `Retry-After` (RFC 9110 §10.2.3) as a delay in milliseconds, for `outcomes.retry(reason, afterMs)`.
 * Pure. Both forms are read: delta-seconds (`120`) and an HTTP date (`Sun, 01 Mar 2026 10:00:30
 * GMT`, judged against `now`; a date in the past is 0). Anything else, or no header, is
 * `undefined`: the SDK then waits by backoff alone. The SDK caps what it honours at
 * `BackoffPolicy.maxRetryAfterMs` (default 4 × `maxMs`), so a hostile or broken server cannot
 * park a message for days.
 */

/** `Retry-After` as ms; `undefined` when absent or unreadable. `now` in ms since the epoch, or a Date. @default now Date.now() */
export function parseRetryAfter(value: string | null | undefined, now: Date | number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // Every HTTP-date form starts with the day name (IMF-fixdate, RFC 850, asctime); without this,
  // Date.parse would read "-5" or "1.5" as years.
  if (!/^[A-Za-z]{3,9},?\s/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - (typeof now === 'number' ? now : now.getTime()));
}
