/**
 * What the gateway publishes to a plugin (SPEC §2.3): one message per (event, channel,
 * destination) on `herald.deliver.<channel>`, with `Nats-Msg-Id` = `delivery_id`.
 */
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { z } from 'zod';
import { envelopeSchema, type HeraldEvent } from './envelope.js';

export const directoryUserSchema = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  email: z.string(),
  full_name: z.string(),
  slack_email: z.string().optional(),
});
export type DirectoryUser = z.infer<typeof directoryUserSchema>;

/** Where a message goes: the channel's system destination, or one user. */
export const destinationSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('system') }),
  z.object({ scope: z.literal('personal'), user: directoryUserSchema }),
]);
export type Destination = z.infer<typeof destinationSchema>;

/** What a personal destination's key starts with, before the user's id (`destinationKey`). */
export const PERSONAL_DESTINATION_KEY_PREFIX = 'user-';

/** A stable key for a destination, used in `delivery_id`: `system` or `user-<id>`. */
export function destinationKey(destination: Destination): string {
  return destination.scope === 'system' ? 'system' : PERSONAL_DESTINATION_KEY_PREFIX + destination.user.id;
}

/**
 * `<source>:<event id>`, both percent-encoded: the `Nats-Msg-Id` Herald's own publishers (HTTP
 * ingress, CLI) set on an event, so the same `id` from two sources is never de-duplicated as one.
 */
export function eventMessageId(event: { readonly source: string; readonly id: string }): string {
  return `${encodeURIComponent(event.source)}:${encodeURIComponent(event.id)}`;
}

/**
 * `<source>:<event id>:<channel>:<destination key>`, `source` and `id` percent-encoded
 * (`encodeURIComponent`, so neither carries a `:`): unique per (source, id, channel, destination)
 * — the same `id` from two sources gives two ids — and the same inputs always give the same id, so
 * a republish after a crash is de-duplicated. Example: `defectdojo:scan-42:alert:user-7`.
 */
export function deliveryId(event: { readonly source: string; readonly id: string }, channel: string, destination: Destination): string {
  return deliveryIdOf(eventMessageId(event), channel, destination);
}

/**
 * `deliveryId` for one of many deliveries of the same event: `eventPart` is the event's
 * `eventMessageId`, computed once (routing a broadcast percent-encodes the event's source and id
 * once, not twice per delivery).
 */
export function deliveryIdOf(eventPart: string, channel: string, destination: Destination): string {
  return deliveryIdPrefix(eventPart, channel) + destinationKey(destination);
}

/**
 * The part of `deliveryIdOf` shared by every destination of one (event, channel):
 * `deliveryIdOf(eventPart, channel, d) === deliveryIdPrefix(eventPart, channel) + destinationKey(d)`.
 * A broadcast computes it once per channel, so each of its ids is one concatenation.
 */
export function deliveryIdPrefix(eventPart: string, channel: string): string {
  return `${eventPart}:${channel}:`;
}

/** One delivery collected into a digest (SPEC §3.6): the event it would have carried alone. */
export const digestItemSchema = z.object({
  delivery_id: z.string().min(1),
  event: envelopeSchema,
  event_label: z.string().min(1),
});

/**
 * A digest (SPEC §3.6): the deliveries of one (user, channel, column) collected over one window,
 * sent as one message. The message's own `event` is a summary event (type = the column, title
 * "<n> <label> notifications", description listing the titles), so a plugin that does not know
 * digests still renders something true; plugins that do render `items` as a list.
 */
export const digestSchema = z.object({
  /** `hourly` or `daily at HH:MM`. */
  schedule: z.string().min(1),
  column: z.string().min(1),
  window_start: z.string(),
  window_end: z.string(),
  items: z.array(digestItemSchema).min(1),
});
export interface Digest {
  readonly schedule: string;
  readonly column: string;
  readonly window_start: string;
  readonly window_end: string;
  readonly items: ReadonlyArray<{ readonly delivery_id: string; readonly event: HeraldEvent; readonly event_label: string }>;
}

export const channelMessageSchema = z.object({
  delivery_id: z.string().min(1),
  channel: z.string().min(1),
  event: envelopeSchema,
  destination: destinationSchema,
  /** Base URL that relative `data.url` values are resolved against. */
  site_url: z.string(),
  /** The event's label: its column's label, or the event name humanised ("Dummy Foo Event"); the alert `source`. */
  event_label: z.string().min(1),
  /**
   * One-click unsubscribe link (RFC 8058) for this event type and channel, on personal mail
   * messages of a gateway that issues them; absent otherwise (older gateways, system messages).
   */
  unsubscribe_url: z.string().optional(),
  /** Present on a digest: the deliveries it collects. `delivery_id` is then the digest's id. */
  digest: digestSchema.optional(),
});

/** A channel message. Channels needing extra fields add a variant discriminated by `channel`. */
export interface ChannelMessage {
  readonly delivery_id: string;
  readonly channel: string;
  readonly event: HeraldEvent;
  readonly destination: Destination;
  readonly site_url: string;
  readonly event_label: string;
  /** One-click unsubscribe link (RFC 8058) of personal mail messages; absent when none was issued. */
  readonly unsubscribe_url?: string;
  /** A digest's items (SPEC §3.6); absent on an ordinary delivery. */
  readonly digest?: Digest;
}

/** Headers carried beside a channel message. */
export const MESSAGE_HEADERS = {
  /** JetStream de-duplication key; equals `delivery_id`. */
  msgId: 'Nats-Msg-Id',
  eventId: 'Herald-Event-Id',
  eventType: 'Herald-Event-Type',
  /** Dead letters: why the message was given up on. */
  deadReason: 'Herald-Dead-Reason',
} as const;

/**
 * The headers a channel message is published with beside its body (`Nats-Msg-Id` goes as the
 * publish's `msgID`): the event's id and type, each only when known.
 */
export function channelMessageHeaders(eventId: string | undefined, eventType: string | undefined): MsgHdrs {
  const h = natsHeaders();
  if (eventId !== undefined) h.set(MESSAGE_HEADERS.eventId, eventId);
  if (eventType !== undefined) h.set(MESSAGE_HEADERS.eventType, eventType);
  return h;
}
