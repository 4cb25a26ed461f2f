/**
 * Cache invalidation across gateway replicas. `broadcast()` asks every replica to drop its
 * snapshot and waits until every live replica (per the registry) has confirmed, or 2 s pass —
 * so a settings change applies to the very next event any replica routes.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@herald/contracts';
import type { ReplicaRegistry } from './replica-registry.js';

const CONFIRM_TIMEOUT_MS = 2_000;

export class InvalidationBus {
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly registry: ReplicaRegistry,
    private readonly logger: Logger,
  ) {}

  /** Starts answering invalidations by calling `onInvalidate` (synchronously, before replying). */
  listen(onInvalidate: () => void): void {
    this.subscription = this.nc.subscribe(this.subject, {
      callback: (error, msg) => {
        if (error) return;
        onInvalidate();
        msg.respond(this.registry.replicaId);
      },
    });
  }

  /** Invalidates every replica's snapshot; resolves when all live replicas confirmed. */
  async broadcast(reason: string): Promise<{ confirmed: number; expected: number }> {
    const live = await this.registry.live();
    const expected = Math.max(1, live.length);
    const confirmed = new Set<string>();
    const replies = await this.nc
      .requestMany(this.subject, reason, { strategy: 'count', maxMessages: expected, maxWait: CONFIRM_TIMEOUT_MS })
      .catch(() => undefined);
    if (replies) for await (const reply of replies) confirmed.add(reply.string());
    if (confirmed.size < expected) {
      this.logger.warn('not every gateway replica confirmed a cache invalidation in time', { reason, expected, confirmed: confirmed.size });
    }
    return { confirmed: confirmed.size, expected };
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }
}
