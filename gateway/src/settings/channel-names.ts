/**
 * Which channel names settings may use: the built-in channels, channels with a stored
 * configuration, and channels announced by the optional `ChannelRegistry`.
 */
import { BUILTIN_CHANNELS } from '@herald/contracts';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { queryRows, sql } from '../persistence/sql.js';
import { CHANNEL_REGISTRY, type ChannelRegistry } from './channel-registry.js';

@Injectable()
export class ChannelNames {
  constructor(
    private readonly em: EntityManager,
    @Optional() @Inject(CHANNEL_REGISTRY) private readonly registry?: ChannelRegistry,
  ) {}

  /** Non-built-in channels that are configured or registered. */
  async extra(tx?: EntityManager): Promise<string[]> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<{ channel: string }>`select channel from gateway.channel_config order by channel`,
    );
    const registered = this.registry ? await this.registry.registeredChannels() : [];
    const builtin = new Set<string>(BUILTIN_CHANNELS);
    return [...new Set([...rows.map((row) => row.channel), ...registered])].filter((name) => !builtin.has(name));
  }

  /** Built-in channels followed by `extra()`. */
  async known(tx?: EntityManager): Promise<string[]> {
    return [...BUILTIN_CHANNELS, ...(await this.extra(tx))];
  }
}
