/**
 * The plugin contract (SPEC §1, STYLE "Outcomes are data"). A plugin is a value:
 * `definePlugin({ channel, version, configSchema, render, send, classifyError })`.
 *
 * - `render` is pure: channel message + config → the provider request (no I/O, deterministic).
 * - `send` does the I/O and returns an outcome; it may also throw, and `classifyError` maps the
 *   thrown error to an outcome (unclassified errors are retried, by one documented rule).
 * The SDK (`runPlugin`) maps outcomes to ack / nak(delay) / term, reports status, retries with
 * backoff and dead-letters on the last attempt. Authors never touch a JetStream message.
 */
import type { z } from 'zod';
import type { ChannelMessage } from '../channel-message.js';
import type { Logger } from '../logger.js';
import type { HttpHandler, PluginHttpContext } from './http.js';

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly detail?: string }
  /**
   * Transient failure: try again after at least `afterMs` (e.g. from `Retry-After`), or by backoff.
   * `deferred: true`: the plugin stored the message durably and publishes it again itself when it
   * can go on (webhooks: an endpoint in `inactive_tmp`); the SDK reports `retrying` and acks — no
   * nak, so waiting uses up no attempts and holds no slot of the consumer.
   */
  | { readonly kind: 'retry'; readonly reason: string; readonly afterMs?: number; readonly deferred?: boolean }
  /** Permanent failure: dead-letter now, do not retry. */
  | { readonly kind: 'failed'; readonly reason: string }
  /** Deliberately not sent (endpoint inactive, no such Slack user, channel disabled). */
  | { readonly kind: 'dropped'; readonly reason: string };

/** One variant of `SendOutcome`, e.g. `OutcomeOf<'dropped'>`. */
export type OutcomeOf<Kind extends SendOutcome['kind']> = Extract<SendOutcome, { kind: Kind }>;

/**
 * Outcome constructors. Each returns its own variant, so `outcomes.dropped(…)` is a valid return
 * value of `render` as well as of `send`.
 */
export const outcomes = {
  delivered: (detail?: string): OutcomeOf<'delivered'> => (detail === undefined ? { kind: 'delivered' } : { kind: 'delivered', detail }),
  /** @param afterMs at least this long before the next attempt (e.g. from `parseRetryAfter`). */
  retry: (reason: string, afterMs?: number): OutcomeOf<'retry'> =>
    afterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, afterMs },
  failed: (reason: string): OutcomeOf<'failed'> => ({ kind: 'failed', reason }),
  dropped: (reason: string): OutcomeOf<'dropped'> => ({ kind: 'dropped', reason }),
} as const;

/** What `send` gets beside the rendered request. */
export interface SendContext<Config> {
  readonly message: ChannelMessage;
  readonly config: Config;
  /** 1-based attempt number. */
  readonly attempt: number;
  readonly logger: Logger;
  /** Aborted when the plugin is shutting down. */
  readonly signal: AbortSignal;
  /**
   * The message's `Nats-Msg-Id`: the delivery id as the gateway publishes it, another id when the
   * message was published again (a dead letter replayed by the gateway, a plugin's own re-publish).
   * @default the delivery id
   */
  readonly messageId?: string;
}

export interface PluginDefinition<Config, Request> {
  /** Channel name, the `<channel>` of `herald.deliver.<channel>`. */
  readonly channel: string;
  /** Semantic version of the plugin, announced in the registry. */
  readonly version: string;
  /**
   * Schema of the channel's settings (SPEC §2.5): a zod object. It is published in the registration
   * as JSON Schema (`z.toJSONSchema`), and the gateway validates every `PUT
   * /channels/<channel>/config` against it; each field's `.default()` is the registered default.
   * Unknown fields are refused by the gateway.
   */
  readonly configSchema: z.ZodType<Config>;
  /**
   * Top-level settings fields that are secrets: the gateway stores them sealed (`enc:v1:…`) in
   * PostgreSQL and the `herald_channel_config` bucket and shows them only as `{ "configured": bool }`;
   * the SDK opens them with `HERALD_SECRET_KEY`. Every name must be a field of `configSchema`.
   * @default none
   */
  readonly secretFields?: readonly string[];
  /** Pure: message + config → provider request, or a `dropped` outcome when there is nothing to send. */
  render(message: ChannelMessage, config: Config): Request | OutcomeOf<'dropped'>;
  send(request: Request, context: SendContext<Config>): Promise<SendOutcome>;
  /** Also dead-letter `dropped` messages (with the reason), so they can be replayed. @default false */
  readonly deadLetterDropped?: boolean;
  /**
   * `send` keeps its own idempotency record: before it returns, it has durably recorded what it
   * sent for the delivery (under `message.delivery_id`), and a `send` of a delivery it already
   * settled sends nothing again and returns that delivery's outcome (alert: one alert per delivery
   * id; webhooks: the per-endpoint delivery records in its database). The SDK then keeps no
   * delivery ledger for the channel (see
   * `delivery-ledger.ts`): no ledger read before a send and no ledger write after it, two NATS
   * requests and one stream write per message fewer. What changes: a redelivery after a final
   * outcome reaches `send`, and its status is reported under the new attempt number (the gateway
   * keeps the later final outcome), not re-published from the ledger; `herald_plugin_duplicates_total`
   * counts only the SDK ledger's hits, so it stays 0 for such a plugin. @default false
   */
  readonly idempotentSend?: boolean;
  /** Maps an error thrown by `send` to an outcome. @default every thrown error is retried */
  classifyError?(error: unknown): SendOutcome;
  /**
   * The plugin's HTTP API, served under `/api/v1` (SPEC §7: alerts, webhooks). Paths are relative
   * to `/api/v1`, e.g. `/users/:id/alerts`. Plugins holding resources (a database) build their
   * definition in a factory and close over them; the definition itself stays a value.
   */
  http?(context: PluginHttpContext<Config>): HttpHandler;
  /**
   * Exercises the plugin's own hot path once at start (issue 15, "no cold start"), so V8 has
   * compiled it before the first real message: `runPlugin` awaits it before the consumer starts,
   * and `/health/ready` stays red until then. It must reach nothing outside the process (the
   * webhooks plugin POSTs to a server it starts on 127.0.0.1 itself) and should end within a few
   * hundred milliseconds. A failure is logged and start-up goes on. @default none
   */
  warmUp?(): Promise<void>;
}

/**
 * Identity function that fixes the type parameters of a plugin definition: `Config` is inferred
 * from `configSchema` (its output type), `Request` from what `render` returns; no type arguments
 * are needed.
 */
export function definePlugin<Config, Request>(definition: PluginDefinition<Config, Request>): PluginDefinition<Config, Request> {
  return definition;
}
