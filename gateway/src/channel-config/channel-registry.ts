/**
 * What each channel's plugin registered (SPEC §2.5): read live from the `<prefix>_plugins` KV bucket
 * (entries expire without heartbeats), and the last declaration seen kept in PostgreSQL
 * (`gateway.channel_registrations`), so a channel's configuration can be read and edited while its
 * plugin is briefly down. A channel no plugin ever registered has no registration: its
 * configuration cannot be validated, and the API answers 409 `channel_not_registered`.
 *
 * When several instances of one channel are live (a rolling upgrade), the most recently started
 * one's declaration counts. Besides reading the bucket on every configuration request, the gateway
 * watches it from start, so a registration is remembered even when nobody calls the API while the
 * plugin runs.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { EntityManager } from '@mikro-orm/postgresql';
import { openBucket, PLUGIN_REGISTRATION_TTL_MS, z, type ChannelConfigDeclaration, type Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from '../config/tokens.js';
import { ChannelRegistrationEntity } from './channel-registration.entity.js';

/** A channel's declaration and the plugin version that made it. */
export interface ChannelRegistration extends ChannelConfigDeclaration {
  readonly channel: string;
  readonly version: string;
}

/** A channel's live plugin instances. */
export interface LiveChannel {
  readonly name: string;
  /** Version announced by the most recent heartbeat. */
  readonly version: string | null;
  /** Live instances: keys `<channel>.<instance id>` that have not expired. */
  readonly instances: number;
  readonly last_heartbeat: string | null;
}

const entrySchema = z.object({
  name: z.string().min(1),
  version: z.string(),
  started_at: z.string().optional(),
  last_heartbeat: z.string().optional(),
  config_schema: z.record(z.string(), z.unknown()),
  secret_fields: z.array(z.string()),
  defaults: z.record(z.string(), z.unknown()),
});
type Entry = z.infer<typeof entrySchema>;

/** Bucket name for a subject prefix: `herald` → `herald_plugins`. */
export function pluginsBucket(prefix: string): string {
  return `${prefix.replace(/[.-]/g, '_')}_plugins`;
}

function sameDeclaration(a: ChannelRegistration, b: ChannelRegistration): boolean {
  return (
    JSON.stringify([a.version, a.config_schema, a.secret_fields, a.defaults]) ===
    JSON.stringify([b.version, b.config_schema, b.secret_fields, b.defaults])
  );
}

function toRegistration(entry: Entry): ChannelRegistration {
  return {
    channel: entry.name,
    version: entry.version,
    config_schema: entry.config_schema,
    secret_fields: entry.secret_fields,
    defaults: entry.defaults,
  };
}

@Injectable()
export class ChannelRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private watch: { stop(): void } | undefined;
  /** Declarations already remembered by the watch, by channel (heartbeats repeat them every 5 s). */
  private readonly remembered = new Map<string, string>();

  constructor(
    private readonly em: EntityManager,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'subjectPrefix' | 'streamStorage'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Watches `<prefix>_plugins` (created as plugins create it, when none has run yet) and remembers every new declaration. */
  async onApplicationBootstrap(): Promise<void> {
    const kv = await openBucket(
      this.nc,
      pluginsBucket(this.config.subjectPrefix),
      { ttlMs: PLUGIN_REGISTRATION_TTL_MS, history: 1 },
      this.config.streamStorage,
    );
    const watch = await kv.watch({ key: '>' });
    this.watch = watch;
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') continue;
        const parsed = entrySchema.safeParse(
          (() => {
            try {
              return entry.json();
            } catch {
              return null;
            }
          })(),
        );
        if (!parsed.success) continue;
        const registration = toRegistration(parsed.data);
        const fingerprint = JSON.stringify(registration);
        if (this.remembered.get(registration.channel) === fingerprint) continue;
        try {
          await this.remember(new Map([[registration.channel, registration]]), await this.stored(registration.channel));
          this.remembered.set(registration.channel, fingerprint);
        } catch (error) {
          // The next heartbeat (5 s) or API request tries again.
          this.logger.warn('could not remember a plugin registration; will retry', { channel: registration.channel, error });
        }
      }
    })();
  }

  onApplicationShutdown(): void {
    this.watch?.stop();
  }

  private async bucket(): Promise<KV | null> {
    try {
      return await new Kvm(this.nc).open(pluginsBucket(this.config.subjectPrefix));
    } catch (error) {
      if (error instanceof JetStreamApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** Live entries under `filter` (`>` = all): per channel, the instance count and the newest declaration. */
  private async readLive(filter: string): Promise<{ live: Map<string, LiveChannel>; declared: Map<string, ChannelRegistration> }> {
    const live = new Map<string, LiveChannel>();
    const newest = new Map<string, Entry>();
    const kv = await this.bucket();
    if (kv === null) return { live, declared: new Map() };
    try {
      for await (const key of await kv.keys(filter)) {
        const entry = await kv.get(key);
        if (entry?.operation !== 'PUT') continue;
        let raw: unknown;
        try {
          raw = entry.json();
        } catch {
          continue;
        }
        const loose = (raw ?? {}) as { name?: unknown; version?: unknown; last_heartbeat?: unknown };
        const name = typeof loose.name === 'string' ? loose.name : (key.split('.')[0] ?? key);
        const heartbeat = typeof loose.last_heartbeat === 'string' ? loose.last_heartbeat : null;
        const version = typeof loose.version === 'string' ? loose.version : null;
        const seen = live.get(name);
        const newer = seen === undefined || (heartbeat !== null && (seen.last_heartbeat === null || heartbeat > seen.last_heartbeat));
        live.set(name, {
          name,
          version: newer ? version : (seen?.version ?? null),
          instances: (seen?.instances ?? 0) + 1,
          last_heartbeat: newer ? heartbeat : (seen?.last_heartbeat ?? null),
        });
        const parsed = entrySchema.safeParse(raw);
        if (!parsed.success) continue;
        const current = newest.get(name);
        if (current === undefined || (parsed.data.started_at ?? '') > (current.started_at ?? '')) newest.set(name, parsed.data);
      }
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.status === 404)) throw error;
    }
    const declared = new Map<string, ChannelRegistration>();
    for (const [name, entry] of newest) declared.set(name, { ...toRegistration(entry), channel: name });
    return { live, declared };
  }

  private async stored(channel?: string): Promise<Map<string, ChannelRegistration>> {
    const rows = await this.em.fork().find(ChannelRegistrationEntity, channel === undefined ? {} : { channel });
    return new Map(
      rows.map((row) => [
        row.channel,
        {
          channel: row.channel,
          version: row.version,
          config_schema: row.config_schema,
          secret_fields: row.secret_fields,
          defaults: row.defaults,
        },
      ]),
    );
  }

  /** Keeps the live declarations that differ from the stored ones. */
  private async remember(declared: Map<string, ChannelRegistration>, stored: Map<string, ChannelRegistration>): Promise<void> {
    const changed = [...declared.values()].filter((registration) => {
      const known = stored.get(registration.channel);
      return known === undefined || !sameDeclaration(known, registration);
    });
    if (changed.length === 0) return;
    const em = this.em.fork();
    for (const registration of changed) {
      await em.upsert(ChannelRegistrationEntity, {
        channel: registration.channel,
        version: registration.version,
        config_schema: registration.config_schema,
        secret_fields: [...registration.secret_fields],
        defaults: { ...registration.defaults },
        seen_at: new Date(),
      });
    }
  }

  /** The channel's registration: the live one (remembered), else the last one seen; `null` when never registered. */
  async get(channel: string): Promise<ChannelRegistration | null> {
    const [{ declared }, stored] = await Promise.all([this.readLive(`${channel}.*`), this.stored(channel)]);
    await this.remember(declared, stored);
    return declared.get(channel) ?? stored.get(channel) ?? null;
  }

  /** Every channel's registration (live or remembered) and the live instances. */
  async list(): Promise<{ registrations: Map<string, ChannelRegistration>; live: Map<string, LiveChannel> }> {
    const [{ live, declared }, stored] = await Promise.all([this.readLive('>'), this.stored()]);
    await this.remember(declared, stored);
    return { registrations: new Map([...stored, ...declared]), live };
  }
}
