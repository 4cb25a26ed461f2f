/**
 * Events (SPEC §7): event types, HTTP ingress, decisions, deliveries and dead letters.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { z } from 'zod';
import {
  DELIVERY_OUTCOMES,
  envelopeSchema,
  eventIdPathSchema,
  eventMessageId,
  formatIssues,
  pageSchema,
  toValidationIssues,
  validateEvent,
} from '@herald/contracts';
import { ApiError } from '../http/error.filter.js';
import { pageQuerySchema, paginate, parsePageQuery, positionKey } from '../http/pagination.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { EventTypesService, eventTypeBodySchema } from '../settings/event-types.service.js';
import { ChangeNotifier } from '../snapshot/change-notifier.js';
import { AdminOnly, AuthGuard, type Identity } from './auth.guard.js';
import { CurrentIdentity } from './identity.decorator.js';
import { found } from './not-found.js';
import { ApiDoc } from './api-doc.decorator.js';
import {
  deadLetterResponse,
  deadLetterSummaryResponse,
  decisionsResponse,
  deliveryResponse,
  eventTypeResponse,
  publishedEventResponse,
  replayResponse,
} from './responses.js';

const deliveryQuery = z.strictObject({
  event_id: z.string().min(1).optional(),
  user_id: z.string().min(1).optional(),
  channel: z.string().min(1).optional(),
  outcome: z
    .enum(['held', 'published', ...DELIVERY_OUTCOMES], { error: `must be one of held, published, ${DELIVERY_OUTCOMES.join(', ')}` })
    .optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(500, { error: 'must be at most 500' }).optional(),
});

const deadLetterQuery = z.strictObject({
  stage: z.enum(['ingest', 'route', 'deliver']).optional(),
  replayed: z.enum(['true', 'false']).optional(),
  event_id: z.string().min(1).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

const decisionsQuery = z.strictObject({
  source: z.string().min(1, { error: 'must be the event source, e.g. defectdojo' }).max(256).optional(),
});

function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error, query);
    throw new ApiError(400, 'validation_failed', `Invalid query: ${formatIssues(issues)}`, issues);
  }
  return parsed.data;
}

@ApiTags('events')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller()
export class EventsController {
  constructor(
    private readonly eventTypes: EventTypesService,
    private readonly deliveryLog: DeliveryLogRepository,
    private readonly messaging: MessagingService,
    private readonly notifier: ChangeNotifier,
  ) {}

  @Get('event-types')
  @ApiDoc({
    summary: 'List event types: the catalogue, then registered ones',
    query: pageQuerySchema,
    responses: { 200: pageSchema(eventTypeResponse) },
  })
  async listEventTypes(@Query() query: unknown) {
    const page = parsePageQuery(query);
    return paginate(await this.eventTypes.list(), (_type, index) => positionKey(index), page);
  }

  @Post('event-types')
  @ApiDoc({ summary: 'Register (or update) an event type', body: eventTypeBodySchema, responses: { 201: eventTypeResponse } })
  @AdminOnly()
  async registerEventType(@Body() body: unknown) {
    const registered = await this.eventTypes.register(body);
    await this.notifier.changed(`event type ${registered.name}`);
    return registered;
  }

  /** HTTP ingress: validates like the gateway does, publishes to NATS, answers 202 with the id. */
  @Post('events')
  @ApiDoc({
    summary: 'Publish an event over HTTP (validated like one published to NATS)',
    body: envelopeSchema,
    responses: { 202: publishedEventResponse },
  })
  @AdminOnly()
  @HttpCode(202)
  async publish(@Body() body: unknown) {
    const result = validateEvent(body, new Date());
    if (!result.ok) throw new ApiError(400, 'validation_failed', `Invalid event: ${formatIssues(result.issues)}`, result.issues);
    const { id, type } = result.event;
    const h = natsHeaders();
    const ack = await this.messaging.js.publish(this.messaging.topology.subjects.event(type), JSON.stringify(body), {
      msgID: eventMessageId(result.event),
      headers: h,
    });
    return { id, duplicate: ack.duplicate };
  }

  @Get('events/:eventId/decisions')
  @ApiDoc({
    summary: "An event's routing decisions: every delivery and every reason for not delivering",
    query: decisionsQuery,
    params: { eventId: eventIdPathSchema },
    responses: { 200: decisionsResponse },
    errors: [409],
  })
  @AdminOnly()
  async decisions(@Param('eventId') id: string, @Query() query: unknown) {
    const { source } = parseQuery(decisionsQuery, query);
    const [first, ...others] = await this.deliveryLog.getDecisions(id, source);
    const decided = found(first, source === undefined ? `decisions for event ${id}` : `decisions for event ${id} from source ${source}`);
    if (others.length > 0) {
      // The same id from two sources is two events (README "Delivery ids"): never pick one silently.
      const sources = [decided, ...others].map((d) => d.source);
      throw new ApiError(
        409,
        'ambiguous_event',
        `Event id ${id} was published by ${sources.length} sources (${sources.join(', ')}): add ?source=<source> to choose one`,
        sources.map((s) => ({ path: 'query.source', message: `one of the sources of event ${id}`, expected: s })),
      );
    }
    return decided;
  }

  /** Admins see every delivery; a user token sees only its own user's. */
  @Get('deliveries')
  @ApiDoc({
    summary: 'List deliveries, newest first (a user token: its own)',
    query: deliveryQuery,
    responses: { 200: pageSchema(deliveryResponse) },
  })
  async deliveries(@Query() query: unknown, @CurrentIdentity() identity: Identity) {
    const q = parseQuery(deliveryQuery, query);
    if (identity.kind === 'user' && q.user_id !== undefined && q.user_id !== identity.userId) {
      throw new ApiError(403, 'forbidden', `A user token can only list its own deliveries (user_id=${identity.userId})`);
    }
    const userId = identity.kind === 'user' ? identity.userId : q.user_id;
    return this.deliveryLog.listDeliveries(
      { event_id: q.event_id, user_id: userId, channel: q.channel, outcome: q.outcome },
      q.cursor,
      q.limit,
    );
  }

  @Get('dead-letters')
  @ApiDoc({ summary: 'List dead letters', query: deadLetterQuery, responses: { 200: pageSchema(deadLetterSummaryResponse) } })
  @AdminOnly()
  async deadLetters(@Query() query: unknown) {
    const q = parseQuery(deadLetterQuery, query);
    return this.deliveryLog.listDeadLetters(
      { stage: q.stage, replayed: q.replayed === undefined ? undefined : q.replayed === 'true', event_id: q.event_id },
      q.cursor,
      q.limit,
    );
  }

  @Get('dead-letters/:id')
  @ApiDoc({ summary: 'Get a dead letter with its payload', responses: { 200: deadLetterResponse } })
  @AdminOnly()
  async deadLetter(@Param('id') id: string) {
    return found(await this.deliveryLog.getDeadLetter(id), `dead letter ${id}`);
  }

  /** Publishes the original payload again to its original subject (a fresh message id). */
  @Post('dead-letters/:id/replay')
  @ApiDoc({ summary: 'Replay a dead letter to its original subject', responses: { 202: replayResponse }, errors: [409] })
  @AdminOnly()
  @HttpCode(202)
  async replay(@Param('id') id: string) {
    const letter = found(await this.deliveryLog.getDeadLetter(id), `dead letter ${id}`);
    if (letter.payload_base64 === '') {
      // sent without its payload (too large for NATS inside a letter): replaying would publish nothing
      throw new ApiError(
        409,
        'payload_missing',
        `Dead letter ${id} carries no payload (too large to travel inside it; its reason says where the original was): republish the original instead`,
      );
    }
    const h = natsHeaders();
    for (const [key, value] of Object.entries(letter.headers)) if (key !== 'Nats-Msg-Id') h.set(key, value);
    const replayId = `replay:${id}:${Date.now()}`;
    await this.messaging.js.publish(letter.subject, Buffer.from(letter.payload_base64, 'base64'), { msgID: replayId, headers: h });
    await this.deliveryLog.markReplayed(id);
    return { id, replayed_to: letter.subject };
  }
}
