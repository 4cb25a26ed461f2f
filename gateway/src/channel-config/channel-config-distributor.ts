/**
 * Distributes channel configuration to plugins through the KV bucket `<prefix>_channel_config`
 * (`herald_channel_config` by default), one key per channel, secret fields still sealed. Every
 * stored configuration is re-published at start, so a new or purged bucket is filled again.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { BUILTIN_CHANNELS, openBucket, type Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from '../config/tokens.js';
import { ChannelNames } from '../settings/channel-names.js';
import { ChannelConfigService } from './channel-config.service.js';
import { pluginsBucket } from './channel-registry.js';

/** Bucket names for a subject prefix: `herald` → `herald_channel_config`, `herald_plugins`. */
export function channelBuckets(prefix: string): { config: string; plugins: string } {
  const base = prefix.replace(/[.-]/g, '_');
  return { config: `${base}_channel_config`, plugins: pluginsBucket(prefix) };
}

@Injectable()
export class ChannelConfigDistributor implements OnApplicationBootstrap {
  private kv: Promise<KV> | undefined;

  constructor(
    private readonly service: ChannelConfigService,
    private readonly names: ChannelNames,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private bucket(): Promise<KV> {
    this.kv ??= openBucket(this.nc, channelBuckets(this.config.subjectPrefix).config, { history: 5 }, this.config.streamStorage);
    return this.kv;
  }

  async onApplicationBootstrap(): Promise<void> {
    const channels = new Set<string>([...BUILTIN_CHANNELS, ...(await this.names.known())]);
    for (const channel of channels) await this.distribute(channel);
  }

  /** Publishes the stored configuration of one channel (nothing when it was never saved). */
  async distribute(channel: string): Promise<void> {
    const stored = await this.service.storedForDistribution(channel);
    if (stored === null) return;
    await (await this.bucket()).put(channel, JSON.stringify(stored));
    this.logger.info('channel configuration distributed', { channel, enabled: stored.enabled });
  }
}
