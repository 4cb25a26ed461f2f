/**
 * The AsyncAPI 3.0 document of Herald's NATS interface: every subject Herald reads or writes, the
 * headers it sets or expects, and JSON Schemas of the payloads generated from the same zod schemas
 * Herald validates with (`z.toJSONSchema`), so a publisher in any language can build a valid
 * event from it. The gateway serves it at `/api/docs/asyncapi.json`; `asyncApiDocument()` returns
 * the same object, to write it as a file.
 */
import { z } from 'zod';
import { EVENT_CATALOGUE, EVENT_NAME_PATTERN, OTHER_EVENT } from './catalogue.js';
import { BUILTIN_CHANNELS } from './channels.js';
import { channelMessageSchema, MESSAGE_HEADERS } from './channel-message.js';
import { deadLetterSchema } from './dead-letter.js';
import { deliveryStatusSchema, statusBatchSchema } from './delivery-status.js';
import { envelopeSchema, eventDataSchema } from './envelope.js';
import { DEFAULT_SUBJECT_PREFIX, subjects } from './subjects.js';

/** Body of `<prefix>.commands.engagement.close`: the scheduler asks the owning service to close an engagement. */
export const engagementCloseCommandSchema = z.object({
  engagement_id: z.string().min(1),
  /** Why, e.g. "target end 2026-11-01 passed more than 7 days ago". */
  reason: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
});
export type EngagementCloseCommand = z.infer<typeof engagementCloseCommandSchema>;

/** Request of `<prefix>.internal.auth` (`AuthRequest`): never the token itself. */
export const authRequestSchema = z.object({ token_sha256: z.string().regex(/^[0-9a-f]{64}$/) });
/** Reply of `<prefix>.internal.auth` (`AuthReply`). */
export const authReplySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('admin') }),
  z.object({ kind: z.literal('user'), user_id: z.string().min(1) }),
  z.object({ kind: z.literal('invalid') }),
]);

export interface AsyncApiOptions {
  /** Subject prefix of the deployment. @default "herald" */
  readonly prefix?: string;
  /** Server the document names (`host:port`). @default "localhost:4222" */
  readonly host?: string;
}

type Json = Record<string, unknown>;

/** A zod schema as an AsyncAPI Schema Object (JSON Schema draft-07), without `$schema`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io }) as Json;
  return rest;
}

const ref = (path: string): Json => ({ $ref: path });

function headers(properties: Record<string, string>, required: readonly string[]): Json {
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(properties).map(([name, description]) => [name, { type: 'string', description }])),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** The AsyncAPI 3.0 document for one deployment's subject prefix. */
export function asyncApiDocument(options: AsyncApiOptions = {}): Json {
  const prefix = options.prefix ?? DEFAULT_SUBJECT_PREFIX;
  const s = subjects(prefix);
  const p = s.prefix;
  const channelParameter = {
    description: `Channel name: a built-in (${BUILTIN_CHANNELS.join(', ')}) or a registered third-party plugin.`,
    examples: [...BUILTIN_CHANNELS],
  };

  const eventMessages = Object.fromEntries(
    EVENT_CATALOGUE.map((definition) => [
      definition.name,
      {
        name: definition.name,
        title: definition.label,
        summary: `The ${definition.name} event (${definition.productScoped ? 'product-scoped' : 'not product-scoped'}; default channels: ${definition.defaultChannels.join(', ') || 'none'}).`,
        contentType: 'application/json',
        headers: ref('#/components/schemas/EventHeaders'),
        payload: {
          allOf: [
            ref('#/components/schemas/Envelope'),
            { type: 'object', properties: { type: { const: definition.name } }, required: ['type'] },
          ],
        },
      },
    ]),
  );

  const components = {
    schemas: {
      Envelope: jsonSchema(envelopeSchema, 'input'),
      EventData: jsonSchema(eventDataSchema, 'input'),
      ChannelMessage: jsonSchema(channelMessageSchema, 'output'),
      DeliveryStatus: jsonSchema(deliveryStatusSchema, 'output'),
      DeliveryStatusBatch: jsonSchema(statusBatchSchema, 'output'),
      DeadLetter: jsonSchema(deadLetterSchema, 'output'),
      EngagementCloseCommand: jsonSchema(engagementCloseCommandSchema, 'output'),
      AuthRequest: jsonSchema(authRequestSchema, 'output'),
      AuthReply: jsonSchema(authReplySchema, 'output'),
      EventHeaders: headers({ [MESSAGE_HEADERS.msgId]: 'JetStream de-duplication key: set it to the event `id` (SPEC §2.1).' }, []),
      DeliverHeaders: headers(
        {
          [MESSAGE_HEADERS.msgId]: 'The `delivery_id`: `<event id>:<channel>:<destination key>` (stable across republishing).',
          [MESSAGE_HEADERS.eventId]: 'The event `id`.',
          [MESSAGE_HEADERS.eventType]: 'The event `type`.',
        },
        [MESSAGE_HEADERS.msgId, MESSAGE_HEADERS.eventId, MESSAGE_HEADERS.eventType],
      ),
      StatusHeaders: headers({ [MESSAGE_HEADERS.msgId]: '`<delivery_id>:<attempt>:<outcome>`.' }, [MESSAGE_HEADERS.msgId]),
      StatusBatchHeaders: headers(
        {
          [MESSAGE_HEADERS.msgId]:
            "`batch:<SHA-256, base64url, of the statuses' `<delivery_id>:<attempt>:<outcome>` keys, each followed by a newline>`.",
        },
        [MESSAGE_HEADERS.msgId],
      ),
      DeadLetterHeaders: headers(
        {
          [MESSAGE_HEADERS.msgId]: '`dead:<stream>:<stream sequence>` of the original message.',
          [MESSAGE_HEADERS.deadReason]: 'Why the message was given up on (one line, at most 1024 characters).',
        },
        [MESSAGE_HEADERS.msgId, MESSAGE_HEADERS.deadReason],
      ),
      CommandHeaders: headers({ [MESSAGE_HEADERS.msgId]: '`close:<engagement id>`: one command per engagement.' }, [MESSAGE_HEADERS.msgId]),
    },
    messages: {
      ...Object.fromEntries(Object.entries(eventMessages).map(([name, message]) => [`event_${name}`, message])),
      AnyEvent: {
        name: 'event',
        title: 'Event of any other type',
        summary: `An event whose type is not in the catalogue (${EVENT_NAME_PATTERN.source}); the "${OTHER_EVENT}" preference column routes it (SPEC §3.4).`,
        contentType: 'application/json',
        headers: ref('#/components/schemas/EventHeaders'),
        payload: ref('#/components/schemas/Envelope'),
      },
      DirectoryEvent: {
        name: 'directory_event',
        title: 'Directory change',
        summary:
          'Same envelope as events; `data.id` names the record for <kind>.upserted / <kind>.deleted (user, product_type, product, engagement), ' +
          '`data.user_id` and exactly one of `data.product_id` / `data.product_type_id` for member.added / member.removed. The other `data` fields are the ' +
          'bodies of the matching `PUT /api/v1/...` directory endpoints; unknown fields are refused.',
        contentType: 'application/json',
        headers: ref('#/components/schemas/EventHeaders'),
        payload: ref('#/components/schemas/Envelope'),
      },
      ChannelMessage: {
        name: 'channel_message',
        title: 'Channel message',
        summary: 'One message per (event, channel, destination), published by the gateway for the channel plugin (SPEC §2.3).',
        contentType: 'application/json',
        headers: ref('#/components/schemas/DeliverHeaders'),
        payload: ref('#/components/schemas/ChannelMessage'),
      },
      DeliveryStatus: {
        name: 'delivery_status',
        title: 'Delivery status',
        summary: 'A plugin reports each attempt: delivered, retrying, failed (dead-lettered) or dropped (SPEC §2.4).',
        contentType: 'application/json',
        headers: ref('#/components/schemas/StatusHeaders'),
        payload: ref('#/components/schemas/DeliveryStatus'),
      },
      DeliveryStatusBatch: {
        name: 'delivery_status_batch',
        title: 'Delivery status batch',
        summary:
          'Several statuses of one channel in one message, in the order they were reported (an extension of SPEC §2.4; the SDK batches statuses ready within a few milliseconds of each other, and the gateway reads both forms).',
        contentType: 'application/json',
        headers: ref('#/components/schemas/StatusBatchHeaders'),
        payload: ref('#/components/schemas/DeliveryStatusBatch'),
      },
      DeadLetter: {
        name: 'dead_letter',
        title: 'Dead letter',
        summary: 'What Herald gave up on, with the reason and the original message (base64), replayable through the API.',
        contentType: 'application/json',
        headers: ref('#/components/schemas/DeadLetterHeaders'),
        payload: ref('#/components/schemas/DeadLetter'),
      },
      EngagementCloseCommand: {
        name: 'engagement_close',
        title: 'Close an engagement',
        summary:
          'Published by the scheduler when auto-close is enabled (HERALD_AUTO_CLOSE_ENGAGEMENT_DAYS), for the service that owns engagements.',
        contentType: 'application/json',
        headers: ref('#/components/schemas/CommandHeaders'),
        payload: ref('#/components/schemas/EngagementCloseCommand'),
      },
      AuthRequest: {
        name: 'auth_request',
        title: 'Who owns this token?',
        contentType: 'application/json',
        payload: ref('#/components/schemas/AuthRequest'),
      },
      AuthReply: {
        name: 'auth_reply',
        title: 'Token owner',
        contentType: 'application/json',
        payload: ref('#/components/schemas/AuthReply'),
      },
      Invalidate: {
        name: 'invalidate',
        title: 'Drop the routing snapshot',
        summary: 'Sent by a gateway replica after a settings or directory change; the payload is the reason (text).',
        contentType: 'text/plain',
        payload: { type: 'string' },
      },
      InvalidateConfirm: {
        name: 'invalidate_confirm',
        title: 'Snapshot dropped',
        summary: "The confirming replica's id (text).",
        contentType: 'text/plain',
        payload: { type: 'string' },
      },
      MaintenanceRequest: {
        name: 'maintenance_request',
        title: 'Run a maintenance job',
        summary: "The scheduler's leader asks one replica of the owning plugin (queue group) to run its job.",
        contentType: 'application/json',
        payload: { type: 'object' },
      },
      MaintenanceReply: {
        name: 'maintenance_reply',
        title: 'Maintenance result',
        summary: 'What the job did, e.g. rows removed.',
        contentType: 'application/json',
        payload: { type: 'object' },
      },
      LiveAlert: {
        name: 'live_alert',
        title: 'New alert',
        summary: 'An alert just stored for the user, as `GET /api/v1/users/{id}/alerts` lists it; feeds the live alert stream.',
        contentType: 'application/json',
        payload: { type: 'object', required: ['id', 'user_id'], properties: { id: { type: 'string' }, user_id: { type: 'string' } } },
      },
    },
  };

  const channels = {
    events: {
      address: `${p}.events.{type}`,
      title: 'Events',
      description: `Inbound domain events (stream ${p.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_EVENTS). Publish with JetStream and set ${MESSAGE_HEADERS.msgId} to the event id.`,
      parameters: {
        type: {
          description: 'The event type: a catalogue name or any other [a-z0-9_]+ name.',
          examples: EVENT_CATALOGUE.map((e) => e.name),
        },
      },
      messages: {
        ...Object.fromEntries(Object.keys(eventMessages).map((name) => [name, ref(`#/components/messages/event_${name}`)])),
        AnyEvent: ref('#/components/messages/AnyEvent'),
      },
    },
    directory: {
      address: `${p}.directory.{kind}.{action}`,
      title: 'Directory',
      description: 'Idempotent directory changes (SPEC §4).',
      parameters: {
        kind: { enum: ['user', 'product_type', 'product', 'engagement', 'member'] },
        action: {
          enum: ['upserted', 'deleted', 'added', 'removed'],
          description: 'upserted|deleted for records, added|removed for member.',
        },
      },
      messages: { DirectoryEvent: ref('#/components/messages/DirectoryEvent') },
    },
    deliver: {
      address: `${p}.deliver.{channel}`,
      title: 'Deliver',
      description: 'Channel messages, one WorkQueue durable per channel shared by the plugin replicas.',
      parameters: { channel: channelParameter },
      messages: { ChannelMessage: ref('#/components/messages/ChannelMessage') },
    },
    status: {
      address: `${p}.status.{channel}`,
      title: 'Status',
      description: 'Delivery status reports.',
      parameters: { channel: channelParameter },
      messages: {
        DeliveryStatus: ref('#/components/messages/DeliveryStatus'),
        DeliveryStatusBatch: ref('#/components/messages/DeliveryStatusBatch'),
      },
    },
    deadEvents: {
      address: s.deadEvents,
      title: 'Invalid events',
      description: 'Inbound events that failed validation, with the field-level issues.',
      messages: { DeadLetter: ref('#/components/messages/DeadLetter') },
    },
    dead: {
      address: `${p}.dead.{stage}.{target}`,
      title: 'Dead letters',
      description: 'Messages given up on after they were accepted.',
      parameters: {
        stage: { enum: ['ingest', 'route', 'deliver'] },
        target: { description: 'The channel (deliver) or the durable consumer that gave up (ingest, route).' },
      },
      messages: { DeadLetter: ref('#/components/messages/DeadLetter') },
    },
    engagementClose: {
      address: s.command('engagement', 'close'),
      title: 'Engagement close command',
      messages: { EngagementCloseCommand: ref('#/components/messages/EngagementCloseCommand') },
    },
    auth: {
      address: s.internal('auth'),
      title: 'Token check (request-reply, core NATS)',
      description: 'Plugins serving HTTP ask the gateway (queue group "gateway") who a bearer token belongs to.',
      messages: { AuthRequest: ref('#/components/messages/AuthRequest') },
    },
    authReply: { address: null, description: 'The requester’s inbox.', messages: { AuthReply: ref('#/components/messages/AuthReply') } },
    invalidate: {
      address: s.internal('invalidate'),
      title: 'Snapshot invalidation (request-many, core NATS)',
      messages: { Invalidate: ref('#/components/messages/Invalidate') },
    },
    invalidateReply: {
      address: null,
      description: 'The requester’s inbox.',
      messages: { InvalidateConfirm: ref('#/components/messages/InvalidateConfirm') },
    },
    alertRetention: {
      address: s.internal('alert-retention'),
      title: 'Alert retention job (request-reply, core NATS)',
      description: "The scheduler's leader asks one alert plugin replica (queue group) to apply HERALD_MAX_ALERTS_PER_USER.",
      messages: { MaintenanceRequest: ref('#/components/messages/MaintenanceRequest') },
    },
    webhooksSweep: {
      address: s.internal('webhooks-sweep'),
      title: 'Webhook status sweep (request-reply, core NATS)',
      description: "The scheduler's leader asks one webhooks plugin replica (queue group) to sweep endpoint statuses.",
      messages: { MaintenanceRequest: ref('#/components/messages/MaintenanceRequest') },
    },
    maintenanceReply: {
      address: null,
      description: 'The requester’s inbox.',
      messages: { MaintenanceReply: ref('#/components/messages/MaintenanceReply') },
    },
    liveAlerts: {
      address: `${p}.internal.alerts.{user}`,
      title: 'Live alerts (core NATS)',
      parameters: {
        user: { description: 'The user id when it is a plain subject token not starting with "_", else "_" + base64url of the id.' },
      },
      messages: { LiveAlert: ref('#/components/messages/LiveAlert') },
    },
  };

  const op = (action: 'send' | 'receive', channel: string, summary: string, reply?: string): Json => ({
    action,
    channel: ref(`#/channels/${channel}`),
    summary,
    ...(reply ? { reply: { channel: ref(`#/channels/${reply}`) } } : {}),
  });

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Herald NATS interface',
      version: '1',
      description:
        `Subjects Herald reads and writes on NATS JetStream (and core NATS for internal requests), for prefix "${p}". ` +
        'Operations are described from Herald’s side (gateway and plugins); publishers of events send what Herald receives.',
    },
    defaultContentType: 'application/json',
    servers: { nats: { host: options.host ?? 'localhost:4222', protocol: 'nats', description: 'NATS with JetStream.' } },
    channels,
    operations: {
      receiveEvents: op('receive', 'events', 'The gateway consumes events, validates, routes and fans out.'),
      receiveDirectory: op('receive', 'directory', 'The gateway applies directory changes.'),
      sendChannelMessage: op('send', 'deliver', 'The gateway publishes one channel message per destination.'),
      receiveChannelMessage: op('receive', 'deliver', "A channel plugin consumes its channel's messages."),
      sendStatus: op('send', 'status', 'A channel plugin reports each attempt.'),
      receiveStatus: op('receive', 'status', 'The gateway records statuses (delivery log).'),
      sendInvalidEvent: op('send', 'deadEvents', 'The gateway dead-letters an invalid event.'),
      sendDeadLetter: op('send', 'dead', 'Herald dead-letters a message it gave up on.'),
      receiveDeadLetter: op('receive', 'dead', 'The gateway records dead letters for the API.'),
      sendEngagementClose: op('send', 'engagementClose', 'The scheduler asks the owning service to close an engagement.'),
      requestAuth: op('send', 'auth', 'A plugin asks who owns a bearer token.', 'authReply'),
      answerAuth: op('receive', 'auth', 'The gateway answers token checks.', 'authReply'),
      requestInvalidate: op('send', 'invalidate', 'A gateway replica asks every replica to drop its snapshot.', 'invalidateReply'),
      answerInvalidate: op('receive', 'invalidate', 'Each gateway replica drops its snapshot and confirms.', 'invalidateReply'),
      requestAlertRetention: op(
        'send',
        'alertRetention',
        "The scheduler's leader asks the alert plugin to apply retention.",
        'maintenanceReply',
      ),
      answerAlertRetention: op('receive', 'alertRetention', 'One alert plugin replica runs it and replies.', 'maintenanceReply'),
      requestWebhooksSweep: op('send', 'webhooksSweep', "The scheduler's leader asks the webhooks plugin to sweep.", 'maintenanceReply'),
      answerWebhooksSweep: op('receive', 'webhooksSweep', 'One webhooks plugin replica runs it and replies.', 'maintenanceReply'),
      sendLiveAlert: op('send', 'liveAlerts', 'The alert plugin announces a stored alert.'),
      receiveLiveAlert: op('receive', 'liveAlerts', 'Alert API replicas forward it to open live streams.'),
    },
    components,
  };
}
