/**
 * Storage of settings rows. Writes are single statements (`insert … on conflict`), and a partial
 * update merges columns in SQL (`events || patch`), so concurrent PATCHes of different columns
 * never lose each other's changes. Rows are returned as stored; completion is the service's job.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { queryRows, sql, toIso } from '../persistence/sql.js';
import type { GlobalSettingsScope } from './global-settings.entity.js';
import type { QuietHours } from '../routing/index.js';
import type { DigestsPatch, EventsRow, FiltersPatch } from './settings-row.js';

/** A stored row: `events` as saved (possibly missing columns registered since). */
export interface StoredRow {
  readonly events: unknown;
  /** Column → filter as saved (SPEC §3.6). */
  readonly filters: unknown;
  /** Quiet hours as saved (personal rows and the template; SPEC §3.6). */
  readonly quiet_hours?: unknown;
  /** Digests as saved (personal rows and the template). */
  readonly digests?: unknown;
  readonly updated_at: string;
}

/** What a write stores: the columns' channels and their filters (`null` removes a column's filter when merging). */
export interface RowWrite {
  readonly events: EventsRow;
  readonly filters: FiltersPatch;
  /** Personal rows and the template: `null` none; `undefined` none on replace, kept on merge. */
  readonly quietHours?: QuietHours | null;
  /** Personal rows and the template: column → channel → schedule (`null` removes a column's when merging). */
  readonly digests?: DigestsPatch;
}

/** How a write treats the columns it does not mention. */
export type WriteMode = 'replace' | 'merge';

interface EventsRecord {
  events: unknown;
  filters: unknown;
  quiet_hours?: unknown;
  digests?: unknown;
  updated_at: unknown;
}

/** SQL condition: user `u` may view product `p` (SPEC §3.2, as routing decides it). */
const MAY_VIEW = sql<boolean>`(u.superuser or coalesce(u.global_role, '') <> ''
  or exists (select 1 from gateway.product_members m where m.scope_id = p.id and m.user_id = u.id)
  or exists (select 1 from gateway.product_type_members t where t.scope_id = p.product_type_id and t.user_id = u.id))`;

function stored(rows: EventsRecord[]): StoredRow | null {
  const row = rows[0];
  if (!row) return null;
  const perUser = row.digests === undefined ? {} : { quiet_hours: row.quiet_hours ?? null, digests: row.digests };
  return { events: row.events, filters: row.filters, ...perUser, updated_at: toIso(row.updated_at) };
}

@Injectable()
export class SettingsRepository {
  constructor(private readonly em: EntityManager) {}

  async getGlobal(scope: GlobalSettingsScope, tx?: EntityManager): Promise<StoredRow | null> {
    return stored(
      await queryRows(
        tx ?? this.em.fork(),
        sql<EventsRecord>`select events, filters, quiet_hours, digests, updated_at from gateway.global_settings where scope = ${scope}`,
      ),
    );
  }

  /**
   * Writes the system or template row. `replace`: `events` becomes the row (it must be complete);
   * `merge`: `events` overrides the given columns, and when no row exists `base || events` is stored.
   */
  async writeGlobal(scope: GlobalSettingsScope, write: RowWrite, mode: WriteMode, base: EventsRow, tx?: EntityManager): Promise<StoredRow> {
    const { value, initial, filters, quiet, keepQuiet, digests } = encode(write, mode, base);
    const rows = await queryRows(
      tx ?? this.em.fork(),
      mode === 'replace'
        ? sql<EventsRecord>`insert into gateway.global_settings (scope, events, filters, quiet_hours, digests)
            values (${scope}, ${initial}::jsonb, jsonb_strip_nulls(${filters}::jsonb), nullif(${quiet}::jsonb, 'null'::jsonb),
              jsonb_strip_nulls(${digests}::jsonb))
            on conflict (scope) do update set events = excluded.events, filters = excluded.filters,
              quiet_hours = excluded.quiet_hours, digests = excluded.digests, updated_at = now()
            returning events, filters, quiet_hours, digests, updated_at`
        : sql<EventsRecord>`insert into gateway.global_settings (scope, events, filters, quiet_hours, digests)
            values (${scope}, ${initial}::jsonb, jsonb_strip_nulls(${filters}::jsonb), nullif(${quiet}::jsonb, 'null'::jsonb),
              jsonb_strip_nulls(${digests}::jsonb))
            on conflict (scope) do update set events = gateway.global_settings.events || ${value}::jsonb,
              filters = jsonb_strip_nulls(gateway.global_settings.filters || ${filters}::jsonb),
              quiet_hours = case when ${keepQuiet}::boolean then gateway.global_settings.quiet_hours else excluded.quiet_hours end,
              digests = jsonb_strip_nulls(gateway.global_settings.digests || ${digests}::jsonb), updated_at = now()
            returning events, filters, quiet_hours, digests, updated_at`,
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
      sql<EventsRecord & { user_id: string }>`select u.id as user_id, s.events, s.filters, s.quiet_hours,
          coalesce(s.digests, '{}'::jsonb) as digests, s.updated_at
        from gateway.users u left join gateway.personal_settings s on s.user_id = u.id where u.id = ${userId}`,
    );
    const row = rows[0];
    if (!row) return null;
    return { row: row.events === null ? null : stored(rows) };
  }

  /** Writes a personal row; `null` when the user does not exist. See `writeGlobal` for the modes. */
  async writePersonal(userId: string, write: RowWrite, mode: WriteMode, base: EventsRow, tx?: EntityManager): Promise<StoredRow | null> {
    const { value, initial, filters, quiet, keepQuiet, digests } = encode(write, mode, base);
    const rows = await queryRows(
      tx ?? this.em.fork(),
      mode === 'replace'
        ? sql<EventsRecord>`insert into gateway.personal_settings (user_id, events, filters, quiet_hours, digests)
            select id, ${initial}::jsonb, jsonb_strip_nulls(${filters}::jsonb), nullif(${quiet}::jsonb, 'null'::jsonb),
              jsonb_strip_nulls(${digests}::jsonb) from gateway.users where id = ${userId}
            on conflict (user_id) do update set events = excluded.events, filters = excluded.filters,
              quiet_hours = excluded.quiet_hours, digests = excluded.digests, updated_at = now()
            returning events, filters, quiet_hours, digests, updated_at`
        : sql<EventsRecord>`insert into gateway.personal_settings (user_id, events, filters, quiet_hours, digests)
            select id, ${initial}::jsonb, jsonb_strip_nulls(${filters}::jsonb), nullif(${quiet}::jsonb, 'null'::jsonb),
              jsonb_strip_nulls(${digests}::jsonb) from gateway.users where id = ${userId}
            on conflict (user_id) do update set events = gateway.personal_settings.events || ${value}::jsonb,
              filters = jsonb_strip_nulls(gateway.personal_settings.filters || ${filters}::jsonb),
              quiet_hours = case when ${keepQuiet}::boolean then gateway.personal_settings.quiet_hours else excluded.quiet_hours end,
              digests = jsonb_strip_nulls(gateway.personal_settings.digests || ${digests}::jsonb), updated_at = now()
            returning events, filters, quiet_hours, digests, updated_at`,
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
      sql`insert into gateway.personal_settings (user_id, events, filters, quiet_hours, digests)
        select ${userId}, coalesce(t.events, ${JSON.stringify(defaults)}::jsonb), coalesce(t.filters, '{}'::jsonb), t.quiet_hours,
          coalesce(t.digests, '{}'::jsonb)
        from (select 1) as one left join gateway.global_settings t on t.scope = 'template'
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
      sql<EventsRecord>`select s.events, s.filters, s.updated_at
        from gateway.users u cross join gateway.products p
        left join gateway.product_settings s on s.user_id = u.id and s.product_id = p.id
        where u.id = ${userId} and p.id = ${productId}`,
    );
    const row = rows[0];
    if (!row) return null;
    return { row: row.events === null ? null : stored(rows) };
  }

  /** Writes a product row; `null` when the user or the product does not exist. */
  async writeProduct(
    userId: string,
    productId: string,
    write: RowWrite,
    mode: WriteMode,
    base: EventsRow,
    tx?: EntityManager,
  ): Promise<StoredRow | null> {
    const { value, initial, filters } = encode(write, mode, base);
    const rows = await queryRows(
      tx ?? this.em.fork(),
      mode === 'replace'
        ? sql<EventsRecord>`insert into gateway.product_settings (user_id, product_id, events, filters)
            select u.id, p.id, ${initial}::jsonb, jsonb_strip_nulls(${filters}::jsonb) from gateway.users u cross join gateway.products p
            where u.id = ${userId} and p.id = ${productId}
            on conflict (user_id, product_id) do update set events = excluded.events, filters = excluded.filters, updated_at = now()
            returning events, filters, updated_at`
        : sql<EventsRecord>`insert into gateway.product_settings (user_id, product_id, events, filters)
            select u.id, p.id, ${initial}::jsonb, jsonb_strip_nulls(${filters}::jsonb) from gateway.users u cross join gateway.products p
            where u.id = ${userId} and p.id = ${productId}
            on conflict (user_id, product_id) do update set events = gateway.product_settings.events || ${value}::jsonb,
              filters = jsonb_strip_nulls(gateway.product_settings.filters || ${filters}::jsonb), updated_at = now()
            returning events, filters, updated_at`,
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
        ? sql<EventsRecord & { product_id: string }>`select s.product_id, s.events, s.filters, s.updated_at from gateway.product_settings s
            join gateway.users u on u.id = s.user_id join gateway.products p on p.id = s.product_id
            where s.user_id = ${userId} and ${MAY_VIEW} order by s.product_id`
        : sql<EventsRecord & { product_id: string }>`select product_id, events, filters, updated_at from gateway.product_settings
            where user_id = ${userId} order by product_id`,
    );
    return rows.map((row) => ({ product_id: row.product_id, events: row.events, filters: row.filters, updated_at: toIso(row.updated_at) }));
  }

  /** The ids among `ids` that are product types of the directory (to validate `product_types` filters). */
  async existingProductTypes(ids: readonly string[], tx?: EntityManager): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await queryRows(
      tx ?? this.em.fork(),
      sql<{ id: string }>`select id from gateway.product_types
        where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
    );
    return new Set(rows.map((row) => row.id));
  }
}

/**
 * JSON parameters of a write: `value` the columns given (merge), `initial` the row a first write
 * stores, `filters` the filter patch (`null` entries are stripped in SQL: they remove a filter).
 */
function encode(
  write: RowWrite,
  mode: WriteMode,
  base: EventsRow,
): { value: string; initial: string; filters: string; quiet: string; keepQuiet: boolean; digests: string } {
  return {
    value: JSON.stringify(write.events),
    initial: JSON.stringify(mode === 'merge' ? { ...base, ...write.events } : write.events),
    filters: JSON.stringify(write.filters),
    quiet: JSON.stringify(write.quietHours ?? null),
    keepQuiet: mode === 'merge' && write.quietHours === undefined,
    digests: JSON.stringify(write.digests ?? {}),
  };
}
