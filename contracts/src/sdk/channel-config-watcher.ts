/**
 * Keeps a plugin's channel configuration current (SPEC §2.5): reads the channel's key in
 * `<prefix>_channel_config` at start, then watches it and applies every change without a restart.
 *
 * Invariants: `state()` always answers synchronously with the newest revision seen (an update
 * never goes back to an older revision, whichever of the initial read and the watch sees it first);
 * a watch that ends while the plugin runs (NATS restarted) is re-opened from the next revision.
 */
import type { KV, KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { openBucket } from '../jetstream/kv-bucket.js';
import type { StreamStorage } from '../jetstream/stream-storage.js';
import type { Logger } from '../logger.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { resolveChannelConfig, type ChannelConfigState } from './channel-config-state.js';

export interface ChannelConfigWatcherOptions<Config> {
  readonly connection: NatsConnection;
  /** KV bucket, e.g. `herald_channel_config`. */
  readonly bucket: string;
  /** Replicas and placement of the bucket. */
  readonly storage: StreamStorage;
  readonly channel: string;
  readonly schema: z.ZodType<Config>;
  readonly base?: Partial<Config> | undefined;
  readonly envConfig?: Partial<Config> | undefined;
  readonly secretBox: SecretBox | null;
  readonly logger: Logger;
  /** Delay before re-opening a watch that ended, ms. @default 1000 */
  readonly rewatchDelayMs?: number;
}

function recordOf(entry: KvEntry | null): unknown {
  if (entry === null || entry.operation !== 'PUT') return null;
  const text = entry.string();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Passed on as a string: the schema then reports that the record is not an object.
    return text;
  }
}

export class ChannelConfigWatcher<Config> {
  private current: ChannelConfigState<Config>;
  private revision = 0;
  private stopping = false;
  private watch: { stop(): void } | undefined;
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly options: ChannelConfigWatcherOptions<Config>,
    private readonly kv: KV,
  ) {
    this.current = this.resolve(null);
  }

  /** Creates the bucket if needed, loads the current value and starts watching. */
  static async start<Config>(options: ChannelConfigWatcherOptions<Config>): Promise<ChannelConfigWatcher<Config>> {
    // Same bucket options as the gateway's distributor: creating an existing bucket just opens it.
    const kv = await openBucket(options.connection, options.bucket, { history: 5 }, options.storage);
    const watcher = new ChannelConfigWatcher(options, kv);
    watcher.apply(await kv.get(options.channel), true);
    await watcher.openWatch();
    return watcher;
  }

  /** The configuration messages are handled with right now. */
  state(): ChannelConfigState<Config> {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.watch?.stop();
    await this.loop?.catch(() => undefined);
  }

  private resolve(record: unknown): ChannelConfigState<Config> {
    const { channel, schema, base, envConfig, secretBox } = this.options;
    return resolveChannelConfig({ channel, schema, base, envConfig, secretBox, record });
  }

  private apply(entry: KvEntry | null, initial = false): void {
    if (entry !== null) {
      if (entry.revision <= this.revision) return;
      this.revision = entry.revision;
    }
    const previous = this.current;
    this.current = this.resolve(recordOf(entry));
    const { logger, channel } = this.options;
    const fields = { channel, state: this.current.kind, ...(this.current.kind === 'ready' ? {} : { reason: this.current.reason }) };
    if (initial || previous.kind !== this.current.kind || entry !== null) {
      if (this.current.kind === 'unconfigured') logger.warn('channel configuration not usable; messages are dropped until it is', fields);
      else logger.info('channel configuration applied', fields);
    }
  }

  private async openWatch(): Promise<void> {
    const iterator = await this.kv.watch({
      key: this.options.channel,
      ...(this.revision > 0 ? { resumeFromRevision: this.revision + 1 } : {}),
    });
    this.watch = iterator;
    this.loop = (async () => {
      for await (const entry of iterator) this.apply(entry);
      if (this.stopping) return;
      this.options.logger.warn('channel configuration watch ended; re-opening', { channel: this.options.channel });
      await new Promise((resolve) => setTimeout(resolve, this.options.rewatchDelayMs ?? 1_000));
      while (!this.stopping) {
        try {
          await this.openWatch();
          return;
        } catch (error) {
          this.options.logger.warn('cannot watch channel configuration; retrying', { channel: this.options.channel, error });
          await new Promise((resolve) => setTimeout(resolve, this.options.rewatchDelayMs ?? 1_000));
        }
      }
    })();
  }
}
