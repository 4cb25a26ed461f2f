/**
 * Deferred messages go on (SPEC §5 "a message for an inactive_tmp endpoint waits and is delivered
 * after reactivation"). The dispatcher stores a message that waits for an `inactive_tmp` endpoint
 * in `webhooks.deferred` and the SDK acks it: waiting holds no consumer slot and uses up no
 * delivery attempts. Every `intervalMs` this loop
 * - reactivates the endpoints due back (inactive_tmp → active_tmp 60 s after the last error), and
 * - claims (with a lease, so replicas share the work) up to `batch` deferred messages that are due
 *   and wait for an endpoint no longer held back, and publishes each again to
 *   `<prefix>.deliver.webhooks` with the message id `<delivery id>:resume:<n>` — the same id for
 *   the same deferral, so a re-publish after a crash is dropped by JetStream's de-duplication and
 *   anything that slips through is stopped by the per-endpoint records (nothing is POSTed twice).
 * The published copy is an ordinary delivery: delivered (the row is forgotten), deferred again (the
 * row is updated), or dropped after the maximum age and dead-lettered.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { channelMessageHeaders, type Logger } from '@herald/contracts';
import type { Clock } from './clock.js';
import { resumeMessageId } from './dispatcher.js';
import type { EndpointStore } from './endpoint-store.js';

/** Deferred messages published per round. */
export const RESUME_BATCH = 256;
/** How long a claimed message is left to its published copy before it may be published again, ms. */
export const RESUME_LEASE_MS = 120_000;
/** Rounds, real ms. */
export const RESUME_INTERVAL_MS = 1_000;

export interface DeferredResumerOptions {
  readonly store: EndpointStore;
  readonly clock: Clock;
  readonly js: JetStreamClient;
  /** `<prefix>.deliver.webhooks`. */
  readonly subject: string;
  readonly logger: Logger;
  /** @default RESUME_INTERVAL_MS (1 s) */
  readonly intervalMs?: number;
}

export class DeferredResumer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: DeferredResumerOptions) {}

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((error: unknown) => this.options.logger.warn('resuming deferred webhook messages failed; next round retries', { error }))
        .finally(() => this.schedule());
    }, this.options.intervalMs ?? RESUME_INTERVAL_MS);
    this.timer.unref();
  }

  /** One round; returns how many messages were published again. */
  async round(): Promise<number> {
    const { store, clock, js, subject, logger } = this.options;
    await store.reactivateDue(clock.now());
    const claimed = await store.claimDeferred(clock.now(), RESUME_BATCH, RESUME_LEASE_MS);
    if (claimed.length === 0) return 0;
    const published = await Promise.allSettled(
      claimed.map((item) => {
        const event = (JSON.parse(item.message) as { event?: { id?: unknown; type?: unknown } }).event;
        const h = channelMessageHeaders(
          typeof event?.id === 'string' ? event.id : undefined,
          typeof event?.type === 'string' ? event.type : undefined,
        );
        return js.publish(subject, item.message, { msgID: resumeMessageId(item.deliveryId, item.resumes), headers: h });
      }),
    );
    const failed = published.filter((p) => p.status === 'rejected');
    if (failed.length > 0) {
      // Still claimed: published again when the lease ends.
      logger.warn('could not publish deferred webhook messages again; retried after the lease', {
        count: failed.length,
        lease_ms: RESUME_LEASE_MS,
        error: (failed[0] as PromiseRejectedResult).reason,
      });
    }
    const count = claimed.length - failed.length;
    logger.info('deferred webhook messages published again', { count });
    return count;
  }

  /** Stops the rounds; waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
