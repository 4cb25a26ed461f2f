/**
 * Starting while a dependency is down (SPEC §8): a process started before NATS or PostgreSQL
 * accepts connections waits for it with capped exponential backoff and one log line per attempt,
 * instead of exiting. Only unavailability is waited out: an error that no wait can fix (a wrong
 * password, a database that does not exist, a migration that fails) is thrown at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';

export interface WaitForDependencyOptions {
  readonly logger: Logger;
  /** True when `error` means "not reachable yet" (worth waiting); others are thrown at once. */
  readonly isUnavailable: (error: unknown) => boolean;
  /** Delay after the first failed attempt, ms; doubles after each. @default 500 */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts, ms. @default 10000 */
  readonly maxDelayMs?: number;
  /** Stops waiting (the error of the last attempt is thrown). @default never */
  readonly signal?: AbortSignal;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): `initial · 2^(attempt-1)`, capped. */
export function dependencyRetryDelay(attempt: number, initialDelayMs = 500, maxDelayMs = 10_000): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
}

/** Waits `ms`, or less when `signal` aborts meanwhile (never rejects). */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, undefined, signal === undefined ? undefined : { signal }).catch(() => undefined);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `attempt` until it succeeds; waits between attempts while `isUnavailable(error)`. */
export async function waitForDependency<T>(name: string, attempt: () => Promise<T>, options: WaitForDependencyOptions): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      const value = await attempt();
      if (n > 1) options.logger.info(`${name} available; starting`, { dependency: name, attempts: n });
      return value;
    } catch (error) {
      if (!options.isUnavailable(error) || options.signal?.aborted === true) throw error;
      const delayMs = dependencyRetryDelay(n, options.initialDelayMs, options.maxDelayMs);
      options.logger.warn(`${name} unavailable; waiting before the next attempt`, {
        dependency: name,
        attempt: n,
        retry_in_ms: delayMs,
        error: describe(error),
      });
      await pause(delayMs, options.signal);
    }
  }
}

/** Error codes of a connection refused, reset, timed out or not resolvable (yet). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/**
 * SQLSTATEs a restarting or overloaded server answers with: class 08 (connection exception),
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up, e.g. "the
 * database system is not yet accepting connections"), 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /connect ECONNREFUSED/i];

/**
 * True when a PostgreSQL error (or anything in its `cause` chain, e.g. a MikroORM exception
 * wrapping the driver's) means the server is not reachable or not accepting connections yet.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
    if (typeof current !== 'object') return false;
    const { code, message, cause, errors } = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    // An AggregateError (IPv4 and IPv6 both refused) carries the real errors in `errors`.
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = cause;
  }
  return false;
}
