/** Storage of channel configuration rows; `settings` holds sealed secrets only, never plaintext. */
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ChannelConfigEntity } from './channel-config.entity.js';

/** A stored row. */
export interface ChannelConfigRow {
  readonly channel: string;
  readonly enabled: boolean;
  readonly settings: Record<string, unknown>;
  readonly updated_at: string;
}

function toRow(entity: ChannelConfigEntity): ChannelConfigRow {
  return { channel: entity.channel, enabled: entity.enabled, settings: entity.settings, updated_at: entity.updated_at.toISOString() };
}

@Injectable()
export class ChannelConfigRepository {
  constructor(private readonly em: EntityManager) {}

  async get(channel: string): Promise<ChannelConfigRow | null> {
    const entity = await this.em.fork().findOne(ChannelConfigEntity, { channel });
    return entity ? toRow(entity) : null;
  }

  async list(): Promise<ChannelConfigRow[]> {
    const entities = await this.em.fork().find(ChannelConfigEntity, {}, { orderBy: { channel: 'asc' } });
    return entities.map(toRow);
  }

  async put(channel: string, enabled: boolean, settings: Record<string, unknown>): Promise<ChannelConfigRow> {
    const entity = await this.em.fork().upsert(ChannelConfigEntity, { channel, enabled, settings, updated_at: new Date() });
    return toRow(entity);
  }

  async delete(channel: string): Promise<boolean> {
    return (await this.em.fork().nativeDelete(ChannelConfigEntity, { channel })) > 0;
  }
}
