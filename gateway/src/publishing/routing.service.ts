/**
 * The routing port's implementation: snapshot (cached) → route (pure) → publish (pipelined) →
 * record decisions and deliveries. Throws when anything fails, so ingest retries the event; the
 * republish is harmless (delivery ids are stable) and recording is idempotent. The record is also
 * what tells ingest that an event was routed (`routed`, asked by the event ledger).
 *
 * An event with more than `HERALD_ROUTING_CHUNK` candidates (a broadcast; 5 000 by default) is
 * streamed (issue 15, item 5): routed a chunk at a time (`routeInChunks`) straight into the
 * publish window, then routed again and stored a chunk at a time as parts (each chunk's
 * deliveries and its decisions), and marked routed only after its last part. So no step holds
 * every delivery and decision of a broadcast; a crash in between leaves parts but no routed mark,
 * and the redelivery routes, publishes (de-duplicated) and stores every part again.
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
import { alertSource, routeInChunks, type PlannedDelivery, type RouteChunk, type Snapshot } from '../routing/index.js';
import { SNAPSHOT_CACHE } from '../snapshot/snapshot.tokens.js';
import type { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { ChannelPublisher, type PublishSummary } from './channel-publisher.js';
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
    this.publisher = new ChannelPublisher(messaging.publisher, messaging.topology.subjects);
    this.recorder = new RoutingRecorder(deliveryLog);
  }

  routed(source: string, id: string): Promise<boolean> {
    return this.deliveryLog.isRouted(source, id);
  }

  async route(event: HeraldEvent): Promise<void> {
    const snapshot = await this.cache.get();
    // one instant for the whole event: a streamed broadcast is routed twice and must decide the same
    const options = { siteUrl: this.config.siteUrl, now: this.clock.now() };
    let routingMs = 0;
    const timed =
      <T>(iterator: Iterator<T>) =>
      (): IteratorResult<T> => {
        const started = performance.now();
        const result = iterator.next();
        routingMs += performance.now() - started;
        return result;
      };
    const { column, chunks } = routeInChunks(event, snapshot, options, this.config.routingChunk);
    const next = timed(chunks[Symbol.iterator]());
    const label = alertSource(event.type, snapshot);
    // RFC 8058 links on personal mails only: a system mail goes to a shared list, not to one user's
    // settings. Held mails carry theirs too (stored with the message; a digest takes its items').
    const unsubscribeUrl = (d: PlannedDelivery): string | undefined =>
      d.channel === 'mail' && d.destination.scope === 'personal'
        ? `${this.config.publicUrl}${API_PREFIX}/unsubscribe/${this.unsubscribeTokens.issue({
            userId: d.destination.user.id,
            column,
            channel: d.channel,
          })}`
        : undefined;
    const perChannel = new Map<string, number>();
    let planned = 0;
    let heldCount = 0;
    const holds: Promise<number>[] = [];
    // Deliveries deferred by quiet hours or collected into digests (SPEC §3.6) are stored, not
    // published: the scheduler's held-deliveries job releases them. Both happen before the event is
    // acknowledged, so nothing held is lost. Counts a chunk's deliveries, starts storing its held
    // ones and returns those that go at once (the chunk's own list when none is held).
    const account = (deliveries: readonly PlannedDelivery[]): readonly PlannedDelivery[] => {
      planned += deliveries.length;
      for (const d of deliveries) perChannel.set(d.channel, (perChannel.get(d.channel) ?? 0) + 1);
      if (!deliveries.some((d) => d.hold !== undefined)) return deliveries;
      const held = deliveries.filter((d) => d.hold !== undefined);
      heldCount += held.length;
      const holding = this.held.hold(event, label, held, unsubscribeUrl);
      // awaited once everything is published; handled now so a failure meanwhile is not an unhandled rejection
      holding.catch(() => undefined);
      holds.push(holding);
      return deliveries.filter((d) => d.hold === undefined);
    };

    const first = next().value as RouteChunk;
    const second = next();
    let summary: PublishSummary;
    if (second.done === true) {
      // one chunk (every event but a broadcast beyond HERALD_ROUTING_CHUNK): one record, group-committed
      summary = await this.publisher.publish(event, label, account(first.deliveries), unsubscribeUrl);
      await Promise.all(holds);
      await this.recorder.record({
        source: event.source,
        eventId: event.id,
        type: event.type,
        column,
        decisions: first.decisions,
        // the planned deliveries as they are (the recorder reads id, channel and destination)
        deliveries: first.deliveries,
      });
    } else {
      // Streamed. First every delivery is published (through one window, planned as it frees up),
      // then the event is routed again — the same snapshot, instant and so the same chunks — and
      // each chunk stored as a part; the event is marked routed after the last. Routing is cheap
      // next to publishing and storing (µs per candidate), so planning twice costs less than
      // keeping every delivery and decision of the broadcast until it is stored, and publishing
      // never waits for the database.
      function* all(): Generator<PlannedDelivery> {
        yield* account(first.deliveries);
        yield* account((second.value as RouteChunk).deliveries);
        for (let chunk = next(); chunk.done !== true; chunk = next()) yield* account(chunk.value.deliveries);
      }
      summary = await this.publisher.publish(event, label, all(), unsubscribeUrl);
      await Promise.all(holds);
      const again = timed(routeInChunks(event, snapshot, options, this.config.routingChunk).chunks[Symbol.iterator]());
      let part = 0;
      for (let chunk = again(); chunk.done !== true; chunk = again()) {
        await this.deliveryLog.recordRoutingPart({
          source: event.source,
          eventId: event.id,
          part: part++,
          decisions: chunk.value.decisions,
          deliveries: chunk.value.deliveries,
        });
      }
      await this.deliveryLog.completeRoutingParts({ source: event.source, eventId: event.id, type: event.type, column, parts: part });
    }
    this.metrics.routingSeconds.observe(routingMs / 1_000);
    for (const [channel, n] of perChannel) this.metrics.deliveriesPublished.inc({ channel }, n);
    this.metrics.eventsRouted.inc();
    this.logger.info('event routed', {
      event_id: event.id,
      type: event.type,
      column,
      deliveries: planned,
      held: heldCount,
      duplicates: summary.duplicates,
    });
  }
}
