/**
 * A plugin under test, on real NATS JetStream: `startPluginHarness` runs the plugin with
 * `runPlugin` on a fresh subject prefix (its own streams and KV buckets), writes the channel
 * configuration where the gateway would, and lets the test publish channel messages and read the
 * statuses and dead letters the plugin produced. `stop()` removes everything the prefix created.
 *
 * Invariants: nothing is shared with other test files (unique prefix); configuration secrets are
 * sealed by the gateway's own function (`sealSecretFields`), and only the fields the plugin's
 * registration declares secret: before the plugin runs, the declaration `runPlugin` will publish
 * (`declareChannelConfig`), afterwards the registration it did publish. A secret the plugin forgot
 * to declare reaches the KV bucket in plaintext, as it would in production (`storedConfig()`
 * shows it), and a secret field its schema lacks makes `runPlugin` throw.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { humanise } from '../catalogue.js';
import { channelMessageHeaders, deliveryId, type ChannelMessage, type Destination } from '../channel-message.js';
import { deadLetterSchema, type DeadLetter } from '../dead-letter.js';
import type { DeliveryStatus, StatusOutcome } from '../delivery-status.js';
import type { HeraldEvent } from '../envelope.js';
import { connectNats } from '../jetstream/connect.js';
import { silentLogger } from '../logger.js';
import { SecretBox } from '../secrets/secret-box.js';
import type { Topology } from '../topology.js';
import { pluginBuckets } from '../sdk/buckets.js';
import type { ChannelConfigRecord } from '../sdk/channel-config-state.js';
import { declareChannelConfig, sealSecretFields } from '../sdk/config-registration.js';
import type { PluginDefinition } from '../sdk/plugin.js';
import type { PluginRegistrationEntry } from '../sdk/plugin-registration.js';
import { runPlugin, type RunningPlugin, type RunPluginOptions } from '../sdk/run-plugin.js';
import { statusesOf } from './deliveries.js';
import { resolveNatsUrl, uniquePrefix } from './infrastructure.js';
import { deleteTopology, readStream, waitFor } from './jetstream.js';

/** Backoff of harness runs: fast retries keep tests short. */
export const HARNESS_BACKOFF = { baseMs: 50, maxMs: 200 } as const;

export interface PluginHarnessOptions<Config, Request> {
  readonly plugin: PluginDefinition<Config, Request>;
  /** Channel settings written to the KV configuration bucket before the plugin starts (plaintext; declared secret fields get sealed). @default none written */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Whether the written configuration enables the channel. @default true */
  readonly enabled?: boolean;
  /** Passed to `runPlugin` as the environment layer. @default none */
  readonly envConfig?: Partial<Config>;
  /** Subject prefix. @default uniquePrefix("plugin") */
  readonly prefix?: string;
  /** `HERALD_SECRET_KEY` for sealing and opening secrets. @default a fresh key */
  readonly secretKey?: string;
  /** Further `runPlugin` options (backoff, maxAttempts, httpPort, …). @default { backoff: HARNESS_BACKOFF } */
  readonly runOptions?: Partial<Omit<RunPluginOptions<Config>, 'connection' | 'prefix' | 'secretKey' | 'envConfig'>>;
}

/** What a test may set on a published message; everything else gets a valid default. */
export interface MessageOverrides {
  readonly delivery_id?: string;
  readonly event?: Omit<Partial<HeraldEvent>, 'data'> & { readonly data?: Partial<HeraldEvent['data']> };
  readonly destination?: Destination;
  readonly site_url?: string;
  readonly event_label?: string;
}

export interface PublishOptions {
  /**
   * Set `Nats-Msg-Id` = delivery id, as the gateway does; JetStream then drops a republish within
   * its 2-minute window. `false` publishes without it, to make the plugin see a duplicate.
   * @default true
   */
  readonly deduplicate?: boolean;
}

export interface PluginHarness<Config> {
  readonly prefix: string;
  readonly topology: Topology;
  readonly connection: NatsConnection;
  readonly secretKey: string;
  readonly running: RunningPlugin<Config>;
  /** Builds a valid channel message for the plugin's channel; returns it without publishing. */
  message(overrides?: MessageOverrides): ChannelMessage;
  /** Publishes a channel message (a built one, or overrides of the default); returns its delivery id. */
  publish(message?: ChannelMessage | MessageOverrides, options?: PublishOptions): Promise<string>;
  /** Statuses the plugin reported, oldest first; only those of `deliveryId` when given. */
  statuses(deliveryId?: string): Promise<DeliveryStatus[]>;
  /** Waits for a status with `outcome` for `deliveryId`; throws, listing what was seen, after `timeoutMs` (default 10 s). */
  waitForStatus(deliveryId: string, outcome: StatusOutcome, timeoutMs?: number): Promise<DeliveryStatus>;
  /** Dead letters of the channel (`<prefix>.dead.deliver.<channel>`). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Waits until the channel's consumer has nothing pending or unacknowledged. */
  idle(timeoutMs?: number): Promise<void>;
  /** Writes the channel configuration as the gateway does (the registered secret fields sealed). */
  putConfig(settings: Readonly<Record<string, unknown>>, enabled?: boolean): Promise<void>;
  /** The channel configuration as stored in the KV bucket (what the gateway would distribute); `null` when none. */
  storedConfig(): Promise<ChannelConfigRecord | null>;
  /** The registration the running plugin published in `<prefix>_plugins`; `null` when there is none. */
  registration(): Promise<PluginRegistrationEntry | null>;
  /** Stops the plugin and deletes the prefix's streams and KV buckets. */
  stop(): Promise<void>;
}

function isChannelMessage(value: ChannelMessage | MessageOverrides): value is ChannelMessage {
  return (
    typeof value.delivery_id === 'string' &&
    value.event !== undefined &&
    typeof value.event.id === 'string' &&
    value.destination !== undefined
  );
}

let sequence = 0;

/** Starts the plugin against the test NATS server (see `resolveNatsUrl`). */
export async function startPluginHarness<Config, Request>(options: PluginHarnessOptions<Config, Request>): Promise<PluginHarness<Config>> {
  const { plugin } = options;
  const channel = plugin.channel;
  const prefix = options.prefix ?? uniquePrefix('plugin');
  const secretKey = options.secretKey ?? SecretBox.generateKey();
  const box = SecretBox.fromBase64(secretKey);
  const buckets = pluginBuckets(prefix);
  const connection = await connectNats({ url: await resolveNatsUrl(), name: `herald-test-${channel}` });
  const configBucket = await new Kvm(connection).create(buckets.config, { history: 5 });

  const registration = async (): Promise<PluginRegistrationEntry | null> => {
    const kv = await new Kvm(connection).open(buckets.plugins).catch(() => null);
    if (kv === null) return null;
    for await (const key of await kv.keys(`${channel}.*`)) {
      const entry = await kv.get(key);
      if (entry?.operation === 'PUT') return entry.json<PluginRegistrationEntry>();
    }
    return null;
  };
  let started = false;
  const putConfig = async (settings: Readonly<Record<string, unknown>>, enabled = true): Promise<void> => {
    const secretFields = started ? ((await registration())?.secret_fields ?? []) : declareChannelConfig(plugin).secret_fields;
    const sealed = sealSecretFields(channel, settings, secretFields, box);
    const record: ChannelConfigRecord = { channel, enabled, settings: sealed, updated_at: new Date().toISOString() };
    await configBucket.put(channel, JSON.stringify(record));
  };

  let running: RunningPlugin<Config>;
  try {
    if (options.config !== undefined) await putConfig(options.config, options.enabled ?? true);
    running = await runPlugin(plugin, {
      connection,
      logger: silentLogger,
      backoff: HARNESS_BACKOFF,
      ...options.runOptions,
      prefix,
      secretKey,
      ...(options.envConfig === undefined ? {} : { envConfig: options.envConfig }),
    });
  } catch (error) {
    await connection.close();
    throw error;
  }
  started = true;
  const topo = running.topology;

  const message = (overrides: MessageOverrides = {}): ChannelMessage => {
    sequence += 1;
    const type = overrides.event?.type ?? 'scan_added';
    const data = { title: humanise(type), description: `Event ${type} has occurred.`, ...overrides.event?.data };
    const event: HeraldEvent = {
      specversion: '1.0',
      id: `evt-${prefix}-${sequence}`,
      source: 'herald-test',
      time: new Date().toISOString(),
      ...overrides.event,
      type,
      data,
    };
    const destination = overrides.destination ?? { scope: 'system' };
    return {
      delivery_id: overrides.delivery_id ?? deliveryId(event, channel, destination),
      channel,
      event,
      destination,
      site_url: overrides.site_url ?? 'http://localhost:8080',
      event_label: overrides.event_label ?? humanise(type),
    };
  };

  const statuses = (id?: string): Promise<DeliveryStatus[]> => statusesOf(connection, prefix, channel, id);

  let stopped: Promise<void> | undefined;
  return {
    prefix,
    topology: topo,
    connection,
    secretKey,
    running,
    message,
    publish: async (input = {}, publishOptions = {}) => {
      const built = isChannelMessage(input) ? input : message(input);
      const h = channelMessageHeaders(built.event.id, built.event.type);
      const js = (await jetstreamManager(connection)).jetstream();
      await js.publish(topo.subjects.deliver(channel), JSON.stringify(built), {
        headers: h,
        ...(publishOptions.deduplicate === false ? {} : { msgID: built.delivery_id }),
      });
      return built.delivery_id;
    },
    storedConfig: async () => {
      const entry = await configBucket.get(channel);
      return entry?.operation === 'PUT' ? entry.json<ChannelConfigRecord>() : null;
    },
    registration,
    statuses,
    waitForStatus: async (id, outcome, timeoutMs = 10_000) => {
      const seen = await waitFor(
        () => statuses(id),
        (list) => list.some((s) => s.outcome === outcome),
        timeoutMs,
      );
      const found = seen.find((s) => s.outcome === outcome);
      if (found) return found;
      const summary = seen.map((s) => `${s.outcome}#${s.attempt}${s.detail === undefined ? '' : ` (${s.detail})`}`).join(', ') || 'none';
      throw new Error(`no "${outcome}" status for ${id} within ${timeoutMs} ms; statuses seen: ${summary}`);
    },
    deadLetters: async () => {
      const stored = await readStream(connection, topo.streams.dead.name, topo.subjects.dead('deliver', channel));
      return stored.map((m) => deadLetterSchema.parse(m.json()));
    },
    idle: async (timeoutMs = 10_000) => {
      const jsm = await jetstreamManager(connection);
      const consumer = topo.channelConsumer(channel);
      const info = await waitFor(
        () => jsm.consumers.info(consumer.stream, consumer.durable),
        (i) => i.num_pending === 0 && i.num_ack_pending === 0,
        timeoutMs,
      );
      if (info.num_pending !== 0 || info.num_ack_pending !== 0) {
        throw new Error(
          `consumer ${consumer.durable} still busy after ${timeoutMs} ms: ${info.num_pending} pending, ${info.num_ack_pending} unacknowledged`,
        );
      }
    },
    putConfig,
    stop: () => {
      stopped ??= (async () => {
        try {
          await running.stop(2_000);
        } finally {
          await deleteTopology(connection, topo);
          await connection.close();
        }
      })();
      return stopped;
    },
  };
}
