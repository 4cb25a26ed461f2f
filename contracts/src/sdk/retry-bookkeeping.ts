/**
 * "A failure of Herald's own bookkeeping never causes a re-send" (SPEC §8). Once a send has
 * succeeded, recording its outcome (the delivery ledger, the event ledger) is retried on its own
 * until it succeeds — the message stays with this replica meanwhile (`working()` keeps the server
 * from redelivering it) — instead of failing the handler, which would redeliver the message and
 * send it again. Only a stop (the replica shutting down) ends the retries; the record is then
 * missing, exactly as after a crash between sending and recording.
 */
import type { Logger } from '../logger.js';
import { dependencyRetryDelay, pause } from './wait-for-dependency.js';

export interface RetryBookkeepingOptions {
  readonly logger: Logger;
  /** Ends the retries (the last error is thrown). @default never */
  readonly signal?: AbortSignal;
  /** Called before each retry: keep the message (`working()`). @default none */
  readonly keepAlive?: () => void;
  /** First delay, ms; doubles up to `maxDelayMs`. @default 200 */
  readonly initialDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
}

/** Runs `record` until it succeeds (or `signal` aborts), logging each failure. */
export async function retryBookkeeping<T>(what: string, record: () => Promise<T>, options: RetryBookkeepingOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await record();
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      const delayMs = dependencyRetryDelay(attempt, options.initialDelayMs ?? 200, options.maxDelayMs ?? 5_000);
      options.logger.warn(`${what} failed after the send succeeded; retrying the record, not the send`, {
        attempt,
        retry_in_ms: delayMs,
        error: error instanceof Error ? error.message : String(error),
      });
      await pause(delayMs, options.signal);
      options.keepAlive?.();
    }
  }
}
