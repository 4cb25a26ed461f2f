/**
 * Storage of settings rows. Writes are single statements (`insert … on conflict`), and a partial
 * update merges columns in SQL (`events || patch`), so concurrent PATCHes of different columns
 * never lose each other's changes. Rows are returned as stored; completion is the service's job.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { queryRows, sql, toIso } from '../persistence/sql.js';
import type { GlobalSettingsScope } from './global-settings.entity.js';
import type { EventsRow } from './settings-row.js';

/** A stored row: `events` as saved (possibly missing columns registered since). */
export interface StoredRow {
  readonly events: unknown;
  readonly updated_at: string;
}

/** How a write treats the columns it does not mention. */
export type WriteMode = 'replace' | 'merge';

interface EventsRecord {
  events: unknown;
  updated_at: unknown;
}

/** SQL condition: user `u` may view product `p` (SPEC §3.2, as routing decides it). */
const MAY_VIEW = sql<boolean>`(u.superuser or coalesce(u.global_role, '') <> ''
  or exists (select 1 from gateway.product_members m where m.scope_id = p.id and m.user_id = u.id)
  or exists (select 1 from gateway.product_type_members t where t.scope_id = p.product_type_id and t.user_id = u.id))`;

function stored(rows: EventsRecord[]): StoredRow | null {
  const row = rows[0];
  return row ? { events: row.events, updated_at: toIso(row.updated_at) } : null;
}

@Injectable()
export class SettingsRepository {
  constructor(private readonly em: EntityManager) {}

  async getGlobal(scope: GlobalSettingsScope, tx?: EntityManager): Promise<StoredRow | null> {
    return stored(
      await queryRows(
        tx ?? this.em.fork(),
        sql<EventsRecord>`select events, updated_at from gateway.global_settings where scope = ${scope}`,
      ),
    );
  }

  /**
   * Writes the system or template row. `replace`: `events` becomes the row (it must be complete);
   * `merge`: `events` overrides the given columns, and when no row exists `base || events` is stored.
   */
  async writeGlobal(
    scope: GlobalSettingsScope,
    events: EventsRow,
    mode: WriteMode,
    base: EventsRow,
    tx?: EntityManager,
  ): Promise<StoredRow> {
    const value = JSON.stringify(events);
    const initial = JSON.stringify(mode === 'merge' ? { ...base, ...events } : events);
    const rows = await queryRows(
      tx ?? this.em.fork(),
      mode === 'replace'
        ? sql<EventsRecord>`insert into gateway.global_settings (scope, events) values (${scope}, ${initial}::jsonb)
            on conflict (scope) do update set events = excluded.events, updated_at = now()
            returning events, updated_at`
        : sql<EventsRecord>`insert into gateway.global_settings (scope, events) values (${scope}, ${initial}::jsonb)
            on conflict (scope) do update set events = gateway.global_settings.events || ${value}::jsonb, updated_at = now()
            returning events, updated_at`,
    );
    return stored(rows) as StoredRow;
  }

  async deleteGlobal(scope: GlobalSettingsScope, tx?: EntityManager): Promise<boolean> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<{ scope: string }>`delete from gateway.global_settings where scope = ${scope} returning scope`,
    );
    return rows.length > 0;
  }

  /** `null` when the user does not exist; `{ row: null }` when they exist without a personal row. */
  async getPersonal(userId: string, tx?: EntityManager): Promise<{ row: StoredRow | null } | null> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<EventsRecord & { user_id: string }>`select u.id as user_id, s.events, s.updated_at
        from gateway.users u left join gateway.personal_settings s on s.user_id = u.id where u.id = ${userId}`,
    );
    const row = rows[0];
    if (!row) return null;
    return { row: row.events === null ? null : { events: row.events, updated_at: toIso(row.updated_at) } };
  }

  /** Writes a personal row; `null` when the user does not exist. See `writeGlobal` for the modes. */
  async writePersonal(userId: string, events: EventsRow, mode: WriteMode, base: EventsRow, tx?: EntityManager): Promise<StoredRow | null> {
    const value = JSON.stringify(events);
    const initial = JSON.stringify(mode === 'merge' ? { ...base, ...events } : events);
    const rows = await queryRows(
      tx ?? this.em.fork(),
      mode === 'replace'
        ? sql<EventsRecord>`insert into gateway.personal_settings (user_id, events)
            select id, ${initial}::jsonb from gateway.users where id = ${userId}
            on conflict (user_id) do update set events = excluded.events, updated_at = now()
            returning events, updated_at`
        : sql<EventsRecord>`insert into gateway.personal_settings (user_id, events)
            select id, ${initial}::jsonb from gateway.users where id = ${userId}
            on conflict (user_id) do update set events = gateway.personal_settings.events || ${value}::jsonb, updated_at = now()
            returning events, updated_at`,
    );
    return stored(rows);
  }

  /**
   * Creates a new user's personal row from the template, or from `defaults` when there is no
   * template (SPEC §3.1). Leaves an existing row alone.
   */
  async seedPersonal(userId: string, defaults: EventsRow, tx?: EntityManager): Promise<void> {
    await queryRows(
      tx ?? this.em.fork(),
      sql`insert into gateway.personal_settings (user_id, events)
        select ${userId}, coalesce((select events from gateway.global_settings where scope = 'template'), ${JSON.stringify(defaults)}::jsonb)
        on conflict (user_id) do nothing`,
    );
  }

  /**
   * Whether a user may view a product (SPEC §3.2, as routing decides it): superuser, a global role,
   * or membership of the product or of its product type. `false` when either does not exist.
   */
  async canViewProduct(userId: string, productId: string, tx?: EntityManager): Promise<boolean> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<{ id: string }>`select u.id from gateway.users u join gateway.products p on p.id = ${productId}
        where u.id = ${userId} and ${MAY_VIEW}`,
    );
    return rows.length > 0;
  }

  /** `null` when the user or the product does not exist; `{ row: null }` when no row was saved. */
  async getProduct(userId: string, productId: string, tx?: EntityManager): Promise<{ row: StoredRow | null } | null> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<EventsRecord>`select s.events, s.updated_at
        from gateway.users u cross join gateway.products p
        left join gateway.product_settings s on s.user_id = u.id and s.product_id = p.id
        where u.id = ${userId} and p.id = ${productId}`,
    );
    const row = rows[0];
    if (!row) return null;
    return { row: row.events === null ? null : { events: row.events, updated_at: toIso(row.updated_at) } };
  }

  /** Writes a product row; `null` when the user or the product does not exist. */
  async writeProduct(
    userId: string,
    productId: string,
    events: EventsRow,
    mode: WriteMode,
    base: EventsRow,
    tx?: EntityManager,
  ): Promise<StoredRow | null> {
    const value = JSON.stringify(events);
    const initial = JSON.stringify(mode === 'merge' ? { ...base, ...events } : events);
    const rows = await queryRows(
      tx ?? this.em.fork(),
      mode === 'replace'
        ? sql<EventsRecord>`insert into gateway.product_settings (user_id, product_id, events)
            select u.id, p.id, ${initial}::jsonb from gateway.users u cross join gateway.products p
            where u.id = ${userId} and p.id = ${productId}
            on conflict (user_id, product_id) do update set events = excluded.events, updated_at = now()
            returning events, updated_at`
        : sql<EventsRecord>`insert into gateway.product_settings (user_id, product_id, events)
            select u.id, p.id, ${initial}::jsonb from gateway.users u cross join gateway.products p
            where u.id = ${userId} and p.id = ${productId}
            on conflict (user_id, product_id) do update set events = gateway.product_settings.events || ${value}::jsonb, updated_at = now()
            returning events, updated_at`,
    );
    return stored(rows);
  }

  async deleteProduct(userId: string, productId: string, tx?: EntityManager): Promise<boolean> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<{
        user_id: string;
      }>`delete from gateway.product_settings where user_id = ${userId} and product_id = ${productId} returning user_id`,
    );
    return rows.length > 0;
  }

  /** Every product row of one user, by product id; with `visibleOnly`, only rows of products the user may view. */
  async listProducts(userId: string, visibleOnly = false, tx?: EntityManager): Promise<Array<StoredRow & { product_id: string }>> {
    const rows = await queryRows(
      tx ?? this.em.fork(),
      visibleOnly
        ? sql<EventsRecord & { product_id: string }>`select s.product_id, s.events, s.updated_at from gateway.product_settings s
            join gateway.users u on u.id = s.user_id join gateway.products p on p.id = s.product_id
            where s.user_id = ${userId} and ${MAY_VIEW} order by s.product_id`
        : sql<EventsRecord & { product_id: string }>`select product_id, events, updated_at from gateway.product_settings
            where user_id = ${userId} order by product_id`,
    );
    return rows.map((row) => ({ product_id: row.product_id, events: row.events, updated_at: toIso(row.updated_at) }));
  }
}
