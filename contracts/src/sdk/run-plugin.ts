/**
 * `runPlugin`: the consume loop every channel plugin runs on. It owns the durable consumer
 * `herald.deliver.<channel>`, bounded concurrency, retries with backoff honouring `Retry-After`,
 * status reports on `herald.status.<channel>`, dead-lettering on the last attempt, and drain on stop.
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { channelMessageSchema, type ChannelMessage } from '../channel-message.js';
import type { DeliveryStatus } from '../delivery-status.js';
import { validateEvent } from '../envelope.js';
import { formatIssues } from '../errors.js';
import type { Logger } from '../logger.js';
import { topology as buildTopology, type Topology } from '../topology.js';
import { toValidationIssues } from '../validation.js';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from '../jetstream/backoff.js';
import { ConsumerRunner, type HandlerOutcome, type ReceivedMessage } from '../jetstream/consumer-runner.js';
import { ensureConsumer, ensureStreams } from '../jetstream/provision.js';
import type { PluginDefinition, SendOutcome } from './plugin.js';

export interface RunPluginOptions<Config> {
  readonly connection: NatsConnection;
  readonly config: Config;
  readonly logger: Logger;
  /** Subject prefix. @default "herald" */
  readonly prefix?: string;
  /** Messages sent at once by this replica. @default 16 */
  readonly concurrency?: number;
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffPolicy;
}

export interface RunningPlugin {
  readonly topology: Topology;
  /** Stops fetching, finishes or naks in-flight sends, within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

function toStatus(message: ChannelMessage, attempt: number, outcome: SendOutcome, retryInMs: number): DeliveryStatus {
  const base = {
    delivery_id: message.delivery_id,
    event_id: message.event.id,
    channel: message.channel,
    destination: message.destination,
    attempt,
    at: new Date().toISOString(),
  };
  switch (outcome.kind) {
    case 'delivered':
      return outcome.detail === undefined ? { ...base, outcome: 'delivered' } : { ...base, outcome: 'delivered', detail: outcome.detail };
    case 'retry':
      return { ...base, outcome: 'retrying', detail: outcome.reason, retry_in_ms: retryInMs };
    case 'failed':
      return { ...base, outcome: 'failed', detail: outcome.reason };
    case 'dropped':
      return { ...base, outcome: 'dropped', detail: outcome.reason };
  }
}

/** Parses a channel message; returns the issues when it does not match the contract. */
export function decodeChannelMessage(data: Uint8Array): { ok: true; message: ChannelMessage } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${(error as Error).message}` };
  }
  const parsed = channelMessageSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `not a channel message: ${formatIssues(toValidationIssues(parsed.error, raw))}` };
  const event = validateEvent(parsed.data.event, new Date());
  if (!event.ok) return { ok: false, reason: `invalid event in channel message: ${formatIssues(event.issues)}` };
  return { ok: true, message: { ...parsed.data, event: event.event } };
}

/** Starts consuming the plugin's channel. */
export async function runPlugin<Config, Request>(
  plugin: PluginDefinition<Config, Request>,
  options: RunPluginOptions<Config>,
): Promise<RunningPlugin> {
  const topo = buildTopology(options.prefix === undefined ? {} : { prefix: options.prefix });
  const jsm = await jetstreamManager(options.connection);
  await ensureStreams(jsm, topo);
  const consumer = topo.channelConsumer(plugin.channel);
  await ensureConsumer(jsm, consumer);
  const js: JetStreamClient = jetstream(options.connection);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const logger = options.logger.child({ channel: plugin.channel });
  const abort = new AbortController();

  const publishStatus = async (status: DeliveryStatus): Promise<void> => {
    await js.publish(topo.subjects.status(plugin.channel), JSON.stringify(status), {
      msgID: `${status.delivery_id}:${status.attempt}:${status.outcome}`,
    });
  };

  const handle = async (received: ReceivedMessage): Promise<HandlerOutcome> => {
    const decoded = decodeChannelMessage(received.data);
    if (!decoded.ok) return { kind: 'dead', reason: decoded.reason };
    const message = decoded.message;
    const log = logger.child({ delivery_id: message.delivery_id, event_id: message.event.id });
    const attempt = received.deliveryCount;
    let outcome: SendOutcome;
    const rendered = plugin.render(message, options.config);
    if (typeof rendered === 'object' && rendered !== null && (rendered as { kind?: unknown }).kind === 'dropped') {
      outcome = rendered as SendOutcome;
    } else {
      try {
        outcome = await plugin.send(rendered as Request, { message, config: options.config, attempt, logger: log, signal: abort.signal });
      } catch (error) {
        outcome = plugin.classifyError ? plugin.classifyError(error) : { kind: 'retry', reason: (error as Error).message ?? String(error) };
      }
    }
    if (outcome.kind === 'retry' && attempt >= received.maxDeliver) {
      outcome = { kind: 'failed', reason: `gave up after ${attempt} attempts: ${outcome.reason}` };
    }
    const delayMs = outcome.kind === 'retry' ? retryDelay(attempt, backoff, outcome.afterMs) : 0;
    await publishStatus(toStatus(message, attempt, outcome, delayMs));
    log.info('delivery attempt', { outcome: outcome.kind, attempt, ...(outcome.kind === 'delivered' ? {} : { detail: outcome.reason }) });
    switch (outcome.kind) {
      case 'delivered':
      case 'dropped':
        return { kind: 'ack' };
      case 'retry':
        return { kind: 'retry', delayMs, reason: outcome.reason };
      case 'failed':
        return { kind: 'dead', reason: outcome.reason, eventId: message.event.id };
    }
  };

  const runner = new ConsumerRunner({
    js,
    consumer,
    concurrency: options.concurrency ?? 16,
    handle,
    deadLetter: { stage: 'deliver', subject: () => topo.subjects.dead('deliver', plugin.channel) },
    logger,
    backoff,
  });
  await runner.start();
  return {
    topology: topo,
    stop: async (timeoutMs = 8_000) => {
      await runner.stop(timeoutMs);
      abort.abort();
    },
  };
}
