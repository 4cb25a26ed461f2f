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

export const outcomes = {
  delivered: (detail?: string): SendOutcome => (detail === undefined ? { kind: 'delivered' } : { kind: 'delivered', detail }),
  retry: (reason: string, afterMs?: number): SendOutcome =>
    afterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, afterMs },
  failed: (reason: string): SendOutcome => ({ kind: 'failed', reason }),
  dropped: (reason: string): SendOutcome => ({ kind: 'dropped', reason }),
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
  /** Schema of the channel's settings (SPEC §2.5); also published to the registry as JSON Schema. */
  readonly configSchema: z.ZodType<Config>;
  /** Names of secret fields in the config (stored encrypted, write-only in the API). */
  readonly secretFields?: readonly string[];
  /** Pure: message + config → provider request, or a `dropped` outcome when there is nothing to send. */
  render(message: ChannelMessage, config: Config): Request | Extract<SendOutcome, { kind: 'dropped' }>;
  send(request: Request, context: SendContext<Config>): Promise<SendOutcome>;
  /** Also dead-letter `dropped` messages (with the reason), so they can be replayed. @default false */
  readonly deadLetterDropped?: boolean;
  /** Maps an error thrown by `send` to an outcome. @default every thrown error is retried */
  classifyError?(error: unknown): SendOutcome;
  /**
   * The plugin's HTTP API, served under `/api/v1` (SPEC §7: alerts, webhooks). Paths are relative
   * to `/api/v1`, e.g. `/users/:id/alerts`. Plugins holding resources (a database) build their
   * definition in a factory and close over them; the definition itself stays a value.
   */
  http?(context: PluginHttpContext<Config>): HttpHandler;
}

/** Identity function that fixes the type parameters of a plugin definition. */
export function definePlugin<Config, Request>(definition: PluginDefinition<Config, Request>): PluginDefinition<Config, Request> {
  return definition;
}
