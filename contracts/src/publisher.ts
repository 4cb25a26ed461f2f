/**
 * Typed event publishing for TypeScript services: `eventPublisher({ connection, source })` →
 * `publish(type, data)`. The event is built as CloudEvents 1.0, validated by the gateway's own
 * `parseEvent` before anything is sent (a bad field throws a `HeraldError('validation_failed')`
 * naming it; nothing is published), and published with JetStream to `<prefix>.events.<type>` with
 * `Nats-Msg-Id` = `<source>:<id>` (`eventMessageId`, as the HTTP ingress and the CLI set it), so a
 * retried publish is de-duplicated and the same id from another source is not.
 */
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { eventMessageId } from './channel-message.js';
import { parseEvent, type eventDataSchema } from './envelope.js';
import { formatIssues, HeraldError } from './errors.js';
import { DEFAULT_SUBJECT_PREFIX, subjects } from './subjects.js';
import { DEFAULT_MAX_EVENT_BYTES } from './topology.js';

/** The catalogue's event types (SPEC §2.2); `EVENT_CATALOGUE` lists the same names. */
export type CatalogueEventType =
  | 'product_type_added'
  | 'product_added'
  | 'engagement_added'
  | 'test_added'
  | 'scan_added'
  | 'scan_added_empty'
  | 'jira_update'
  | 'upcoming_engagement'
  | 'stale_engagement'
  | 'auto_close_engagement'
  | 'close_engagement'
  | 'user_mentioned'
  | 'code_review'
  | 'review_requested'
  | 'other'
  | 'sla_breach'
  | 'sla_breach_combined'
  | 'risk_acceptance_expiration';

/** `data` as a publisher writes it (title and description default when left out). */
export type EventDataInput = z.input<typeof eventDataSchema>;

/**
 * `data` per event type. Every catalogue type takes the common `data`; a service may narrow a type
 * or add its own by declaration merging (`declare module '@herald/contracts' { interface EventDataByType { … } }`).
 */
export interface EventDataByType extends Record<CatalogueEventType, EventDataInput> {
  /** The product that was added: `data.product` is required. */
  product_added: EventDataInput & { product: NonNullable<EventDataInput['product']> };
  /** The product type that was added: `data.product_type` is required. */
  product_type_added: EventDataInput & { product_type: NonNullable<EventDataInput['product_type']> };
  /** Who is mentioned: `data.recipients` is required. */
  user_mentioned: EventDataInput & { recipients: string[] };
}

/** `data` for `type`: the mapped type for known types, the common `data` for any other name. */
export type EventDataFor<T extends string> = T extends keyof EventDataByType ? EventDataByType[T] : EventDataInput;

export interface EventPublisherOptions {
  readonly connection: NatsConnection;
  /** CloudEvents `source` of every event, e.g. "defectdojo". */
  readonly source: string;
  /** Subject prefix of the Herald deployment. @default "herald" */
  readonly prefix?: string;
  /** The gateway's size limit (HERALD_MAX_EVENT_BYTES), checked before sending. @default 1 MiB */
  readonly maxEventBytes?: number;
}

export interface PublishEventOptions {
  /** Event id, unique per source; reuse it when retrying so the event is de-duplicated. @default a random UUID */
  readonly id?: string;
  /** RFC 3339 time of the event. @default now */
  readonly time?: string;
}

export interface PublishedEvent {
  readonly id: string;
  readonly subject: string;
  /** Sequence in the events stream. */
  readonly seq: number;
  /** True when the stream already held an event with this id (de-duplicated, not stored twice). */
  readonly duplicate: boolean;
}

export interface EventPublisher {
  publish<T extends string>(type: T, data: EventDataFor<T>, options?: PublishEventOptions): Promise<PublishedEvent>;
}

export function eventPublisher(options: EventPublisherOptions): EventPublisher {
  if (options.source.trim() === '') {
    throw new HeraldError('validation_failed', 'eventPublisher: source must be a non-empty string, e.g. "defectdojo"');
  }
  const js = jetstream(options.connection);
  const s = subjects(options.prefix ?? DEFAULT_SUBJECT_PREFIX);
  const maxBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  return {
    async publish(type, data, publishOptions = {}) {
      const now = new Date();
      const id = publishOptions.id ?? randomUUID();
      const envelope = { specversion: '1.0', id, source: options.source, type, time: publishOptions.time ?? now.toISOString(), data };
      const body = JSON.stringify(envelope);
      const parsed = parseEvent(body, { now, maxBytes });
      if (!parsed.ok) {
        throw new HeraldError('validation_failed', `Invalid ${type} event, not published: ${formatIssues(parsed.issues)}`, parsed.issues);
      }
      const subject = s.event(type);
      const ack = await js.publish(subject, body, { msgID: eventMessageId({ source: options.source, id }) });
      return { id, subject, seq: ack.seq, duplicate: ack.duplicate };
    },
  };
}
