/**
 * The routing port's implementation: snapshot (cached) → route (pure) → publish (pipelined) →
 * record decisions and deliveries. Throws when anything fails, so ingest retries the event; the
 * republish is harmless (delivery ids are stable) and recording is idempotent. The record is also
 * what tells ingest that an event was routed (`routed`, asked by the event ledger).
 */
import { Inject, Injectable } from '@nestjs/common';
import { API_PREFIX, type HeraldEvent, type Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { CLOCK, GATEWAY_CONFIG, LOGGER } from '../config/tokens.js';
import type { Clock } from '../scheduler/clock.js';
import { HeldDeliveriesRepository } from './held-deliveries.repository.js';
import type { RoutingPort } from '../ingest/routing-port.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { alertSource, route, type PlannedDelivery, type Snapshot } from '../routing/index.js';
import { SNAPSHOT_CACHE } from '../snapshot/snapshot.tokens.js';
import type { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { ChannelPublisher } from './channel-publisher.js';
import { RoutingRecorder } from './routing-recorder.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { UnsubscribeTokens } from '../unsubscribe/unsubscribe-token.js';

@Injectable()
export class RoutingService implements RoutingPort {
  private readonly publisher: ChannelPublisher;
  private readonly recorder: RoutingRecorder;

  constructor(
    @Inject(SNAPSHOT_CACHE) private readonly cache: SnapshotCache<Snapshot>,
    messaging: MessagingService,
    private readonly deliveryLog: DeliveryLogRepository,
    private readonly held: HeldDeliveriesRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly unsubscribeTokens: UnsubscribeTokens,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.publisher = new ChannelPublisher(messaging.js, messaging.topology.subjects);
    this.recorder = new RoutingRecorder(deliveryLog);
  }

  routed(source: string, id: string): Promise<boolean> {
    return this.deliveryLog.isRouted(source, id);
  }

  async route(event: HeraldEvent): Promise<void> {
    const snapshot = await this.cache.get();
    const started = performance.now();
    const result = route(event, snapshot, { siteUrl: this.config.siteUrl, now: this.clock.now() });
    this.metrics.routingSeconds.observe((performance.now() - started) / 1_000);
    const label = alertSource(event.type, snapshot);
    // Deliveries deferred by quiet hours or collected into digests (SPEC §3.6) are stored, not
    // published: the scheduler's held-deliveries job releases them. Both happen before the event
    // is acknowledged, so nothing held is lost.
    const anyHeld = result.deliveries.some((d) => d.hold !== undefined);
    const immediate = anyHeld ? result.deliveries.filter((d) => d.hold === undefined) : result.deliveries;
    const held = anyHeld ? result.deliveries.filter((d) => d.hold !== undefined) : [];
    // RFC 8058 links on personal mails only: a system mail goes to a shared list, not to one user's
    // settings. Held mails carry theirs too (stored with the message; a digest takes its items').
    const unsubscribeUrl = (d: PlannedDelivery): string | undefined =>
      d.channel === 'mail' && d.destination.scope === 'personal'
        ? `${this.config.publicUrl}${API_PREFIX}/unsubscribe/${this.unsubscribeTokens.issue({
            userId: d.destination.user.id,
            column: result.column,
            channel: d.channel,
          })}`
        : undefined;
    const [summary] = await Promise.all([
      this.publisher.publish(event, label, immediate, unsubscribeUrl),
      this.held.hold(event, label, held, unsubscribeUrl),
    ]);
    await this.recorder.record({
      source: event.source,
      eventId: event.id,
      type: event.type,
      column: result.column,
      decisions: result.decisions,
      // the planned deliveries as they are (the recorder reads id, channel and destination): no
      // copy of every delivery of a broadcast
      deliveries: result.deliveries,
    });
    const perChannel = new Map<string, number>();
    for (const d of result.deliveries) perChannel.set(d.channel, (perChannel.get(d.channel) ?? 0) + 1);
    for (const [channel, count] of perChannel) this.metrics.deliveriesPublished.inc({ channel }, count);
    this.metrics.eventsRouted.inc();
    this.logger.info('event routed', {
      event_id: event.id,
      type: event.type,
      column: result.column,
      deliveries: result.deliveries.length,
      held: held.length,
      duplicates: summary.duplicates,
    });
  }
}
