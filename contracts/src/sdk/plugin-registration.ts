/**
 * Plugin registration (SPEC §2.5): every running instance announces itself in the KV bucket
 * `<prefix>_plugins` under `<channel>.<instance id>` and refreshes the entry on a heartbeat.
 *
 * Invariants: the bucket's TTL (15 s) is three heartbeats (5 s), so a crashed instance disappears
 * within 15 s without anyone cleaning up, and a live one never expires between beats; a graceful
 * stop deletes the key at once. The gateway counts live keys per channel for `GET /channels`.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { openBucket } from '../jetstream/kv-bucket.js';
import type { StreamStorage } from '../jetstream/stream-storage.js';
import type { Logger } from '../logger.js';
import type { ChannelConfigDeclaration } from './config-registration.js';

/** Heartbeat period, ms. */
export const PLUGIN_HEARTBEAT_MS = 5_000;
/** Registration lifetime without a heartbeat, ms (the bucket's TTL). */
export const PLUGIN_REGISTRATION_TTL_MS = 15_000;

/** The value stored under `<channel>.<instance id>`. */
export interface PluginRegistrationEntry {
  /** The channel. */
  readonly name: string;
  readonly version: string;
  readonly instance_id: string;
  /** JSON Schema (draft 2020-12) of the channel's settings; refuses unknown top-level fields. */
  readonly config_schema: ChannelConfigDeclaration['config_schema'];
  /** Settings fields the gateway stores sealed and never echoes. */
  readonly secret_fields: ChannelConfigDeclaration['secret_fields'];
  /** Value of each non-secret field a configuration leaves out. */
  readonly defaults: ChannelConfigDeclaration['defaults'];
  readonly started_at: string;
  readonly last_heartbeat: string;
}

/** A KV-key-safe id for this process: `<host>-<pid>-<random>`. */
export function defaultInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .slice(0, 40) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export interface PluginRegistrationOptions {
  readonly connection: NatsConnection;
  /** KV bucket, e.g. `herald_plugins`. */
  readonly bucket: string;
  /** Replicas and placement of the bucket. */
  readonly storage: StreamStorage;
  readonly channel: string;
  readonly version: string;
  readonly instanceId: string;
  /** What the channel's configuration looks like (see `declareChannelConfig`). */
  readonly declaration: ChannelConfigDeclaration;
  readonly logger: Logger;
  /** @default PLUGIN_HEARTBEAT_MS (5000) */
  readonly heartbeatMs?: number;
}

export class PluginRegistration {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date().toISOString();

  private constructor(
    private readonly options: PluginRegistrationOptions,
    private readonly kv: KV,
  ) {}

  /** The KV key of this instance: `<channel>.<instance id>`. */
  get key(): string {
    return `${this.options.channel}.${this.options.instanceId}`;
  }

  /** Creates the bucket if needed, writes the entry and starts the heartbeat. */
  static async start(options: PluginRegistrationOptions): Promise<PluginRegistration> {
    const kv = await openBucket(options.connection, options.bucket, { ttlMs: PLUGIN_REGISTRATION_TTL_MS, history: 1 }, options.storage);
    const registration = new PluginRegistration(options, kv);
    await registration.beat();
    registration.timer = setInterval(() => {
      registration.beat().catch((error: unknown) => options.logger.warn('plugin heartbeat failed; will retry', { error }));
    }, options.heartbeatMs ?? PLUGIN_HEARTBEAT_MS);
    registration.timer.unref();
    return registration;
  }

  private async beat(): Promise<void> {
    const { channel, version, instanceId, declaration } = this.options;
    const entry: PluginRegistrationEntry = {
      name: channel,
      version,
      instance_id: instanceId,
      config_schema: declaration.config_schema,
      secret_fields: declaration.secret_fields,
      defaults: declaration.defaults,
      started_at: this.startedAt,
      last_heartbeat: new Date().toISOString(),
    };
    await this.kv.put(this.key, JSON.stringify(entry));
  }

  /** Stops the heartbeat and removes the entry (best effort: it expires anyway). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.kv.delete(this.key).catch((error: unknown) => this.options.logger.warn('could not remove plugin registration', { error }));
  }
}
