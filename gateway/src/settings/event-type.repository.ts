/** Storage of registered event types; `listAll` is the catalogue followed by registered types. */
import { EVENT_CATALOGUE, type EventTypeDefinition } from '@herald/contracts';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { queryRows, sql } from '../persistence/sql.js';

interface EventTypeRow {
  name: string;
  label: string;
  default_channels: string[];
  product_scoped: boolean;
}

function toDefinition(row: EventTypeRow): EventTypeDefinition {
  return { name: row.name, label: row.label, defaultChannels: row.default_channels, productScoped: row.product_scoped };
}

/** The catalogue merged with registered rows; a registered name never shadows a catalogue one. */
export function mergeEventTypes(registered: readonly EventTypeDefinition[]): EventTypeDefinition[] {
  const builtin = new Set(EVENT_CATALOGUE.map((type) => type.name));
  return [...EVENT_CATALOGUE, ...registered.filter((type) => !builtin.has(type.name))];
}

@Injectable()
export class EventTypeRepository {
  constructor(private readonly em: EntityManager) {}

  /** Registered types only, by name. */
  async listRegistered(tx?: EntityManager): Promise<EventTypeDefinition[]> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<EventTypeRow>`select name, label, default_channels, product_scoped from gateway.event_types order by name`,
    );
    return rows.map(toDefinition);
  }

  /** Catalogue plus registered types: every column a settings row has. */
  async listAll(tx?: EntityManager): Promise<EventTypeDefinition[]> {
    return mergeEventTypes(await this.listRegistered(tx));
  }

  /** Inserts or replaces a registered type. */
  async upsert(definition: EventTypeDefinition, tx?: EntityManager): Promise<EventTypeDefinition> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<EventTypeRow>`insert into gateway.event_types (name, label, default_channels, product_scoped)
        values (${definition.name}, ${definition.label}, ${JSON.stringify(definition.defaultChannels)}::jsonb, ${definition.productScoped})
        on conflict (name) do update set label = excluded.label, default_channels = excluded.default_channels,
          product_scoped = excluded.product_scoped, updated_at = now()
        returning name, label, default_channels, product_scoped`,
    );
    return toDefinition(rows[0] as EventTypeRow);
  }

  /** Removes a registered type; stored rows keep the column's data but it is no longer served. */
  async delete(name: string, tx?: EntityManager): Promise<boolean> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<{ name: string }>`delete from gateway.event_types where name = ${name} returning name`,
    );
    return rows.length > 0;
  }
}
