/**
 * `runPlugin`: the consume loop every channel plugin runs on. It owns the durable consumer on
 * `<prefix>.deliver.<channel>`, bounded concurrency, the channel configuration (KV, watched), the
 * registration heartbeat, idempotency, retries, status reports, dead letters, the optional HTTP
 * server, and a graceful stop.
 *
 * Per message, in this order (SPEC §5 "ack only after the outcome is durable"):
 * 1. decode; a message that breaks the contract is dead-lettered at once;
 * 2. look the message id (`Nats-Msg-Id`: the delivery id, or a replay's own id) up in the ledger:
 *    already final ⇒ re-publish that status, do not send (not for a plugin with `idempotentSend`,
 *    which keeps its own record and has no SDK ledger);
 * 3. no valid or enabled configuration ⇒ `dropped` with the reason (never silently lost);
 * 4. render (pure; a throwing render is a permanent failure) and send; a thrown error is classified
 *    by `classifyThrown`; a retry on the last allowed attempt becomes `failed`;
 * 5. a final outcome is recorded in the ledger (retried until it succeeds: a bookkeeping failure
 *    never re-sends) while the status is published (both at once), then, once both are stored,
 *    the message is acked (`delivered`, `dropped`), nak'ed with the computed delay (`retrying`: exponential backoff
 *    with jitter, at least `Retry-After`), or dead-lettered on `<prefix>.dead.deliver.<channel>`
 *    and acked (`failed`, and `dropped` when the plugin sets `deadLetterDropped`); a `retry` the
 *    plugin `deferred` (stored to publish again itself) is reported `retrying` and acked. See
 *    `delivery-ledger.ts` for the one window where a send can repeat.
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import { channelMessageSchema, MESSAGE_HEADERS, type ChannelMessage, type Digest } from '../channel-message.js';
import type { DeliveryStatus } from '../delivery-status.js';
import { validateEvent } from '../envelope.js';
import { formatIssues } from '../errors.js';
import type { Logger } from '../logger.js';
import { SecretBox } from '../secrets/secret-box.js';
import { topology as buildTopology, type Topology } from '../topology.js';
import { toValidationIssues } from '../validation.js';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from '../jetstream/backoff.js';
import { ConsumerRunner, type HandlerOutcome, type ReceivedMessage } from '../jetstream/consumer-runner.js';
import { ensureConsumer, ensureStreams } from '../jetstream/provision.js';
import { StreamPublisher } from '../jetstream/stream-publisher.js';
import type { StreamStorage } from '../jetstream/stream-storage.js';
import { pluginBuckets } from './buckets.js';
import { declareChannelConfig } from './config-registration.js';
import type { ChannelConfigState } from './channel-config-state.js';
import { ChannelConfigWatcher } from './channel-config-watcher.js';
import { classifyThrown, errorReason } from './classify-thrown.js';
import { followConnection } from './connection-state.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { retryBookkeeping } from './retry-bookkeeping.js';
import { StatusReporter } from './status-reporter.js';
import { authenticateViaGateway, type HttpHandler, type PluginHttpContext } from './http.js';
import type { PluginDefinition, SendOutcome } from './plugin.js';
import { mountUnderApiPrefix } from './plugin-http-handler.js';
import { releaseStartupGarbage } from './startup-garbage.js';
import { warmUpPlugin } from './warm-up.js';
import { startPluginHttpServer, type PluginHttpServer, type ReadinessChecks } from './plugin-http-server.js';
import { PluginMetrics, type ConsumerBacklog } from './plugin-metrics.js';
import { defaultInstanceId, PluginRegistration, PLUGIN_HEARTBEAT_MS } from './plugin-registration.js';

export interface RunPluginOptions<Config> {
  readonly connection: NatsConnection;
  /**
   * Lowest configuration layer, under the KV settings and `envConfig` (defaults, or a complete
   * configuration for embedding and tests). @default none
   */
  readonly config?: Partial<Config>;
  /**
   * Settings from the plugin's own environment variables. Each defined field takes precedence over
   * the same field in the KV channel configuration (SPEC §2.5). @default none
   */
  readonly envConfig?: Partial<Config>;
  /**
   * `HERALD_SECRET_KEY` (32 bytes, base64) to open sealed secret fields of the KV configuration.
   * Without it, a configuration holding a sealed value is reported as not configured. @default none
   */
  readonly secretKey?: string;
  readonly logger: Logger;
  /** Subject prefix; also names the KV buckets (`<prefix>_channel_config`, …). @default "herald" */
  readonly prefix?: string;
  /** Replicas and placement of the streams and buckets this plugin provisions. @default SINGLE_REPLICA */
  readonly streamStorage?: StreamStorage;
  /** Messages sent at once by this replica. @default 16 */
  readonly concurrency?: number;
  /** Retry delays. @default DEFAULT_BACKOFF (1 s doubling to 5 min, full jitter) */
  readonly backoff?: BackoffPolicy;
  /**
   * Deliveries of one message before it is reported `failed` and dead-lettered (the consumer's
   * `max_deliver`; replicas of one channel must agree). @default 8
   */
  readonly maxAttempts?: number;
  /** Port of the plugin's HTTP server (health, metrics, `/api/v1`); 0 = any free port. @default no server */
  readonly httpPort?: number;
  /** Interface the HTTP server listens on. @default "0.0.0.0" */
  readonly httpHost?: string;
  /** Further `/health/ready` checks by name, e.g. `{ database: () => … }`. @default none */
  readonly readinessChecks?: ReadinessChecks;
  /** This instance's id in the registry (`<channel>.<instanceId>`). @default "<host>-<pid>-<random>" */
  readonly instanceId?: string;
  /** Registration heartbeat period, ms. @default 5000 */
  readonly heartbeatMs?: number;
  /**
   * How long a delivery status waits for others to share its status report, ms (`StatusReporter`;
   * a report also goes once half of `concurrency` statuses wait); 0 sends each alone. Delays the
   * acknowledgement of a channel message, never its send. @default 10
   */
  readonly statusLingerMs?: number;
  /**
   * One full, compacting collection after the warm-up, before the consumer starts, so the start-up's
   * garbage is given back before the first message (`releaseStartupGarbage`). `false` where the
   * process collects once itself after starting several plugins (the all-in-one). @default true
   */
  readonly releaseStartupGarbage?: boolean;
}

export interface RunningPlugin<Config = unknown> {
  readonly topology: Topology;
  readonly channel: string;
  readonly instanceId: string;
  /** The HTTP server's bound port; `null` when `httpPort` was not given. */
  readonly httpPort: number | null;
  /** The plugin's Prometheus registry (what `/metrics` serves; all-in-one merges it into its own). */
  readonly metrics: Registry;
  /** The context given to the plugin's `http` factory. */
  readonly httpContext: PluginHttpContext<Config>;
  /** The plugin's API mounted under `/api/v1` (see `pluginHttpHandler`); `null` without `http`. */
  readonly apiHandler: HttpHandler | null;
  /** The configuration messages are sent with right now; `null` while there is none. */
  config(): Config | null;
  /** Why messages are or are not sent right now. */
  configState(): ChannelConfigState<Config>;
  /** NATS connected and the consumer bound (what `/health/ready` reports). */
  ready(): boolean;
  /** Stops fetching, finishes or naks in-flight sends within `timeoutMs`, deregisters, closes the server. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Default deliveries per message before giving up. */
const DEFAULT_MAX_ATTEMPTS = 8;

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
  const { digest, ...rest } = parsed.data;
  if (digest === undefined) return { ok: true, message: { ...rest, event: event.event } };
  const items: Array<Digest['items'][number]> = [];
  for (const [index, item] of digest.items.entries()) {
    const itemEvent = validateEvent(item.event, new Date());
    if (!itemEvent.ok) return { ok: false, reason: `invalid event in digest item ${index}: ${formatIssues(itemEvent.issues)}` };
    items.push({ ...item, event: itemEvent.event });
  }
  return { ok: true, message: { ...rest, event: event.event, digest: { ...digest, items } } };
}

function isDropped(value: unknown): value is Extract<SendOutcome, { kind: 'dropped' }> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'dropped';
}

/** Starts consuming the plugin's channel; resolves once configuration is loaded and the consumer bound. */
export async function runPlugin<Config, Request>(
  plugin: PluginDefinition<Config, Request>,
  options: RunPluginOptions<Config>,
): Promise<RunningPlugin<Config>> {
  const { connection } = options;
  const channel = plugin.channel;
  const topo = buildTopology({
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.streamStorage === undefined ? {} : { storage: options.streamStorage }),
  });
  const buckets = pluginBuckets(topo.subjects.prefix);
  // Before anything is provisioned: a schema the gateway cannot use, or a secret field the schema
  // lacks, is the author's mistake to see at once.
  const declaration = declareChannelConfig(plugin);
  const logger = options.logger.child({ channel });
  const secretBox = options.secretKey === undefined ? null : SecretBox.fromBase64(options.secretKey);
  const instanceId = options.instanceId ?? defaultInstanceId();
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const consumer = { ...topo.channelConsumer(channel), maxDeliver: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS };

  const jsm = await jetstreamManager(connection);
  await ensureStreams(jsm, topo);
  await ensureConsumer(jsm, consumer);
  const js: JetStreamClient = jetstream(connection);
  // The plugin's stream writes (status reports, ledger records): one reply subscription on the
  // connection (shared by every plugin of an all-in-one), closed at shutdown.
  const publisher = new StreamPublisher(connection);
  // A plugin that keeps its own idempotency record (`idempotentSend`) needs no second one.
  const ledger =
    plugin.idempotentSend === true ? null : await DeliveryLedger.open(connection, buckets.deliveries(channel), topo.storage, publisher);
  const watcher = await ChannelConfigWatcher.start<Config>({
    connection,
    bucket: buckets.config,
    storage: topo.storage,
    channel,
    schema: plugin.configSchema,
    base: options.config,
    envConfig: options.envConfig,
    secretBox,
    logger,
  });
  const abort = new AbortController();
  const connectionState = followConnection(connection);

  let backlogCache: { at: number; value: Promise<ConsumerBacklog | null> } | undefined;
  const backlog = (): Promise<ConsumerBacklog | null> => {
    if (!backlogCache || Date.now() - backlogCache.at > 1_000) {
      const value = jsm.consumers
        .info(consumer.stream, consumer.durable)
        .then((info) => ({ pending: info.num_pending, ackPending: info.num_ack_pending }))
        .catch(() => null);
      backlogCache = { at: Date.now(), value };
    }
    return backlogCache.value;
  };
  const metrics = new PluginMetrics(channel, {
    backlog,
    inFlight: () => runner.active,
    configReady: () => watcher.state().kind === 'ready',
  });

  const statusSubject = topo.subjects.status(channel);
  const concurrency = options.concurrency ?? 16;
  const reporter = new StatusReporter((payload, msgID) => publisher.publish(statusSubject, payload, { msgID }), {
    ...(options.statusLingerMs === undefined ? {} : { lingerMs: options.statusLingerMs }),
    maxWaiting: Math.max(1, Math.floor(concurrency / 2)),
  });
  const publishStatus = (status: DeliveryStatus): Promise<void> => reporter.report(status);

  const attemptSend = async (
    message: ChannelMessage,
    config: Config,
    attempt: number,
    log: Logger,
    messageId: string,
  ): Promise<SendOutcome> => {
    let rendered: Request | Extract<SendOutcome, { kind: 'dropped' }>;
    try {
      rendered = plugin.render(message, config);
    } catch (error) {
      // Render is pure: it fails the same way on every attempt, so retrying cannot help.
      return { kind: 'failed', reason: `render failed: ${errorReason(error)}` };
    }
    if (isDropped(rendered)) return rendered;
    const started = performance.now();
    let outcome: SendOutcome;
    try {
      outcome = await plugin.send(rendered, { message, config, attempt, logger: log, signal: abort.signal, messageId });
    } catch (error) {
      outcome = classifyThrown(plugin, error);
    }
    metrics.sent((performance.now() - started) / 1_000, outcome.kind);
    return outcome;
  };

  const handle = async (received: ReceivedMessage): Promise<HandlerOutcome> => {
    const decoded = decodeChannelMessage(received.data);
    if (!decoded.ok) return { kind: 'dead', reason: decoded.reason };
    const message = decoded.message;
    const log = logger.child({ delivery_id: message.delivery_id, event_id: message.event.id });
    const attempt = received.deliveryCount;

    // The ledger is keyed by the message id: the delivery id as the gateway publishes it; a dead
    // letter replayed by the gateway carries a fresh id, so the original's outcome does not stop it.
    const messageId = received.headers[MESSAGE_HEADERS.msgId] ?? message.delivery_id;
    const settled = ledger === null ? null : await ledger.get(messageId);
    if (settled !== null) {
      metrics.duplicate();
      await publishStatus(settled);
      log.info('redelivered after a final outcome; not sent again', { outcome: settled.outcome, attempt });
      const deadAgain = settled.outcome === 'failed' || (settled.outcome === 'dropped' && plugin.deadLetterDropped === true);
      return deadAgain ? { kind: 'dead', reason: settled.detail ?? settled.outcome, eventId: message.event.id } : { kind: 'ack' };
    }

    const state = watcher.state();
    let outcome: SendOutcome =
      state.kind === 'ready'
        ? await attemptSend(message, state.config, attempt, log, messageId)
        : { kind: 'dropped', reason: state.reason };
    if (outcome.kind === 'retry' && outcome.deferred !== true && attempt >= received.maxDeliver) {
      outcome = { kind: 'failed', reason: `gave up after ${attempt} attempts: ${outcome.reason}` };
    }
    const delayMs =
      outcome.kind !== 'retry'
        ? 0
        : outcome.deferred === true
          ? Math.max(0, outcome.afterMs ?? 0)
          : retryDelay(attempt, backoff, outcome.afterMs);
    const status = toStatus(message, attempt, outcome, delayMs);
    // Sent (or settled): from here on a failure must not send again, so the record is retried. The
    // record and the status report are independent writes, made at once (one round trip of waiting,
    // not two); the message is settled only once both are stored, and a failure of either (the record
    // gives up only at shutdown) leaves it unacknowledged, to be redelivered.
    const recorded =
      outcome.kind === 'retry' || ledger === null
        ? Promise.resolve()
        : retryBookkeeping('recording the delivery outcome', () => ledger.record(status, messageId), {
            logger: log,
            signal: abort.signal,
            keepAlive: () => received.working(),
          });
    const [record, report] = await Promise.allSettled([recorded, publishStatus(status)]);
    if (record.status === 'rejected') throw record.reason;
    if (report.status === 'rejected') throw report.reason;
    metrics.outcome(status.outcome);
    log.info('delivery attempt', { outcome: status.outcome, attempt, ...(status.detail === undefined ? {} : { detail: status.detail }) });
    switch (outcome.kind) {
      case 'delivered':
        return { kind: 'ack' };
      case 'dropped':
        return plugin.deadLetterDropped === true ? { kind: 'dead', reason: outcome.reason, eventId: message.event.id } : { kind: 'ack' };
      case 'retry':
        // Deferred: the plugin holds the message durably now and publishes it again itself.
        return outcome.deferred === true ? { kind: 'ack' } : { kind: 'retry', delayMs, reason: outcome.reason };
      case 'failed':
        return { kind: 'dead', reason: outcome.reason, eventId: message.event.id };
    }
  };

  const httpContext: PluginHttpContext<Config> = {
    logger,
    authenticate: (authorization) => authenticateViaGateway(connection, topo.subjects.internal('auth'), authorization),
    config: () => {
      const state = watcher.state();
      return state.kind === 'unconfigured' ? null : state.config;
    },
  };
  const apiHandler = plugin.http ? mountUnderApiPrefix(plugin.http(httpContext)) : null;

  const runner = new ConsumerRunner({
    js,
    consumer,
    concurrency,
    handle,
    deadLetter: { stage: 'deliver', subject: () => topo.subjects.dead('deliver', channel) },
    logger,
    backoff,
    onSettled: (kind, received) => {
      const gaveUp = kind === 'retry' && received.deliveryCount >= received.maxDeliver;
      if (kind === 'dead' || gaveUp) metrics.deadLettered();
    },
  });
  let registration: PluginRegistration | undefined;
  let server: PluginHttpServer | undefined;
  const ready = (): boolean => connectionState.connected() && runner.running;

  const shutdown = async (timeoutMs: number): Promise<void> => {
    await runner.stop(timeoutMs);
    // the handlers have finished, so their statuses and records are stored (after a stop that timed
    // out, a write still pending is rejected and its message redelivered to another replica)
    publisher.close();
    abort.abort();
    await registration?.stop();
    await watcher.stop();
    connectionState.stop();
    await server?.close();
    logger.info('plugin stopped', { instance_id: instanceId });
  };

  try {
    // compiled before the first message; the consumer (and so readiness) waits for it
    await warmUpPlugin(plugin, decodeChannelMessage, logger, {
      connection,
      ...(ledger === null ? {} : { ledgerGet: (id: string) => ledger.get(id) }),
    });
    if (options.releaseStartupGarbage ?? true) {
      logger.debug('start-up garbage released', { collect_ms: Math.round(releaseStartupGarbage()) });
    }
    await runner.start();
    registration = await PluginRegistration.start({
      connection,
      bucket: buckets.plugins,
      storage: topo.storage,
      channel,
      version: plugin.version,
      instanceId,
      declaration,
      logger,
      heartbeatMs: options.heartbeatMs ?? PLUGIN_HEARTBEAT_MS,
    });
    if (options.httpPort !== undefined) {
      server = await startPluginHttpServer({
        port: options.httpPort,
        ...(options.httpHost === undefined ? {} : { host: options.httpHost }),
        health: () => ({
          nats: connectionState.connected() ? 'connected' : 'disconnected',
          consumer: runner.running ? 'bound' : 'unbound',
        }),
        ...(options.readinessChecks === undefined ? {} : { readinessChecks: options.readinessChecks }),
        metrics: metrics.registry,
        api: apiHandler,
        logger,
      });
    }
  } catch (error) {
    await shutdown(1_000).catch(() => undefined);
    throw error;
  }
  logger.info('plugin started', {
    version: plugin.version,
    instance_id: instanceId,
    config: watcher.state().kind,
    http_port: server?.port ?? null,
  });

  let stopping: Promise<void> | undefined;
  return {
    topology: topo,
    channel,
    instanceId,
    httpPort: server?.port ?? null,
    metrics: metrics.registry,
    httpContext,
    apiHandler,
    config: () => {
      const state = watcher.state();
      return state.kind === 'ready' ? state.config : null;
    },
    configState: () => watcher.state(),
    ready,
    stop: (timeoutMs = 8_000) => {
      stopping ??= shutdown(timeoutMs);
      return stopping;
    },
  };
}
