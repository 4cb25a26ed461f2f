/**
 * Releases held deliveries (SPEC §3.6), on the scheduler's leader: deliveries deferred by quiet
 * hours once their window has ended, and digests once due. Every publish carries a stable
 * `Nats-Msg-Id` (the delivery id, or the digest id) and is marked sent only after its PubAck, so a
 * crash between publish and mark leads to a re-publish JetStream de-duplicates — never a loss,
 * never a second message (within the stream's duplicate window).
 */
import type { ChannelMessage, HeraldEvent, Logger, Subjects } from '@herald/contracts';
import { ChannelPublisher, type StreamPublish } from '../publishing/channel-publisher.js';
import type { DueDigest, HeldDeliveriesRepository } from '../publishing/held-deliveries.repository.js';
import type { Clock } from './clock.js';

export interface HeldDeliveriesResult {
  readonly released: number;
  readonly digests: number;
  /** Publishes that failed this tick (they are retried at the next one). */
  readonly failed: number;
  /** Sent rows removed after `KEEP_SENT_MS`. */
  readonly purged: number;
}

/** How long released rows are kept (the window rows keep late items out of a sent digest meanwhile): 7 days. */
export const KEEP_SENT_MS = 7 * 86_400_000;

/** Source of a digest's summary event. */
export const DIGEST_SOURCE = 'herald-digest';

export class HeldDeliveriesJob {
  private readonly publisher: ChannelPublisher;

  constructor(
    private readonly held: HeldDeliveriesRepository,
    streams: StreamPublish,
    subjects: Subjects,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.publisher = new ChannelPublisher(streams, subjects);
  }

  async run(): Promise<HeldDeliveriesResult> {
    const now = this.clock.now();
    let released = 0;
    let failed = 0;
    for (;;) {
      const due = await this.held.dueSingles(now);
      if (due.length === 0) break;
      // one failing publish (a channel whose stream is gone, say) does not hold back the others
      const results = await Promise.allSettled(due.map((delivery) => this.publish(delivery.message)));
      const sent = due.filter((_, index) => results[index]?.status === 'fulfilled').map((delivery) => delivery.delivery_id);
      await this.held.markSent(sent);
      released += sent.length;
      if (sent.length < due.length) {
        failed += due.length - sent.length;
        const reasons = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
        this.logger.warn('held deliveries not released; retried at the next tick', { count: due.length - sent.length, reason: reasons[0] });
        break;
      }
    }
    await this.held.claimDigests(now);
    let digests = 0;
    for (const digest of await this.held.pendingDigests()) {
      try {
        await this.publish(digestMessage(digest));
        await this.held.markDigestSent(digest.digest_id);
        digests++;
        this.logger.info('digest sent', { digest_id: digest.digest_id, channel: digest.channel, items: digest.items.length });
      } catch (error) {
        failed++;
        this.logger.warn('digest not sent; retried at the next tick (same id, so never twice)', { digest_id: digest.digest_id, error });
      }
    }
    const purged = await this.held.purgeSent(KEEP_SENT_MS);
    return { released, digests, failed, purged };
  }

  private async publish(message: ChannelMessage): Promise<void> {
    await this.publisher.publishMessage(message);
  }
}

/** The one channel message of a digest: a summary event, and every item. */
export function digestMessage(digest: DueDigest): ChannelMessage {
  const first = digest.items[0] as ChannelMessage;
  const label = first.event_label;
  const titles = digest.items.map((item) => `- ${item.event.data.title ?? item.event_label}`);
  const count = digest.items.length;
  const event: HeraldEvent = {
    specversion: '1.0',
    id: digest.digest_id,
    source: DIGEST_SOURCE,
    type: digest.column,
    time: digest.window_end,
    data: {
      title: `${count} ${label} notification${count === 1 ? '' : 's'} (${digest.schedule} digest)`,
      description: titles.join('\n'),
    },
  };
  return {
    delivery_id: digest.digest_id,
    channel: digest.channel,
    destination: first.destination,
    site_url: first.site_url,
    // every item is of the same user, channel and column: their unsubscribe link is the digest's
    ...(first.unsubscribe_url === undefined ? {} : { unsubscribe_url: first.unsubscribe_url }),
    event_label: label,
    event,
    digest: {
      schedule: digest.schedule,
      column: digest.column,
      window_start: digest.window_start,
      window_end: digest.window_end,
      items: digest.items.map((item) => ({ delivery_id: item.delivery_id, event: item.event, event_label: item.event_label })),
    },
  };
}
