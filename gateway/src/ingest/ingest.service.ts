/**
 * Ingest: validate → (hold events whose `deliver_at` is in the future) → de-duplicate → hand to the
 * routing port. Invalid events are dead-lettered
 * (acknowledged, published to `herald.dead.events` with every reason); so is an event whose `type`
 * differs from its subject's last token (NATS subject permissions then limit what a publisher may
 * send), and one whose routing failed permanently (`classifyFailure`). Duplicates (same source
 * and id) are acknowledged without routing; transient failures are retried.
 */
import { Inject, Injectable } from '@nestjs/common';
import { eventMessageId, formatIssues, parseEvent, type HandlerOutcome, type Logger, type ReceivedMessage } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { CLOCK, GATEWAY_CONFIG, LOGGER } from '../config/tokens.js';
import type { Clock } from '../scheduler/clock.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { EventLedger } from './event-ledger.js';
import { ScheduledEventsRepository } from '../scheduler/scheduled-events.repository.js';
import { ROUTING_PORT, type RoutingPort } from './routing-port.js';
import { classifyFailure, failureReason } from './failure-class.js';

export const EVENT_LEDGER = Symbol('EVENT_LEDGER');

/** Best effort: the `id` of an event that failed validation, for the dead letter. */
function readId(data: Uint8Array): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    const id = (value as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

@Injectable()
export class IngestService {
  constructor(
    @Inject(ROUTING_PORT) private readonly routing: RoutingPort,
    @Inject(EVENT_LEDGER) private readonly ledger: EventLedger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly schedules: ScheduledEventsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: GatewayMetrics,
  ) {
    this.eventSubjects = `${config.subjectPrefix}.events.`;
  }

  /** `<prefix>.events.`: the subjects whose last token is the event type. */
  private readonly eventSubjects: string;

  async handle(message: ReceivedMessage): Promise<HandlerOutcome> {
    if (message.deliveryCount === 1) this.metrics.eventsReceived.inc();
    const parsed = parseEvent(message.data, { maxBytes: this.config.maxEventBytes, now: new Date() });
    if (!parsed.ok) {
      this.metrics.eventsInvalid.inc();
      const eventId = message.data.byteLength <= this.config.maxEventBytes ? readId(message.data) : undefined;
      return {
        kind: 'dead',
        reason: `invalid event: ${formatIssues(parsed.issues)}`,
        issues: parsed.issues,
        ...(eventId ? { eventId } : {}),
      };
    }
    const event = parsed.event;
    // Only subjects under `<prefix>.events.` name the type; extra subjects the stream captures
    // (HERALD_EXTRA_EVENT_SUBJECTS, SPEC §2.1) carry any type.
    const subjectType = message.subject.slice(message.subject.lastIndexOf('.') + 1);
    if (message.subject.startsWith(this.eventSubjects) && subjectType !== event.type) {
      this.metrics.eventsInvalid.inc();
      const issue = {
        path: 'type',
        message: `is "${event.type}" but the event was published to ${message.subject}, whose last token is "${subjectType}"`,
        expected: `publish a "${event.type}" event to <prefix>.events.${event.type}`,
      };
      return { kind: 'dead', reason: `invalid event: ${formatIssues([issue])}`, issues: [issue], eventId: event.id };
    }
    const deliverAt = event.data.deliver_at === undefined ? undefined : new Date(event.data.deliver_at);
    if (deliverAt !== undefined && deliverAt.getTime() > this.clock.now().getTime()) {
      const { schedule, created } = await this.schedules.schedule(event, deliverAt, eventMessageId(event));
      this.logger.info(created ? 'event scheduled' : 'event already scheduled', {
        event_id: event.id,
        schedule_id: schedule.id,
        deliver_at: schedule.deliver_at,
      });
      return { kind: 'ack' };
    }
    const claim = await this.ledger.claim(event.source, event.id, () => this.routing.routed(event.source, event.id));
    if (claim.kind === 'duplicate') {
      this.metrics.eventsDuplicate.inc();
      this.logger.info('duplicate event ignored', { event_id: event.id, source: event.source });
      return { kind: 'ack' };
    }
    if (claim.kind === 'busy') {
      // Usually the other copy finishes within a second; back off so a crashed claimant's stale
      // claim (taken over after 6 s) is reached within the consumer's delivery budget.
      const delayMs = Math.max(250, Math.min(claim.retryInMs, 500 * 2 ** (message.deliveryCount - 1)));
      return { kind: 'retry', delayMs, reason: 'another copy of this event is being processed' };
    }
    try {
      await this.routing.route(event);
    } catch (error) {
      await this.ledger.release(event.source, event.id).catch(() => undefined);
      if (classifyFailure(error) === 'transient') throw error;
      this.metrics.eventsInvalid.inc();
      this.logger.error('event can never be routed; dead-lettered', { event_id: event.id, source: event.source, error });
      return { kind: 'dead', reason: `cannot be routed or published (permanent): ${failureReason(error)}`, eventId: event.id };
    }
    // Routed, published and recorded: the routing record is what marks the event routed (see
    // `event-ledger.ts`), so nothing more is written before the ack.
    return { kind: 'ack' };
  }
}
