/**
 * The alert store: plain SQL over a `pg`-compatible pool (PostgreSQL, or PGlite through one
 * connection shared with the gateway in all-in-one mode). Every operation is ONE statement (two
 * sequential ones for an idempotent insert), so it never holds a connection or a transaction across
 * calls and never needs two connections at once.
 *
 * Invariants:
 * - `insert` is idempotent on `delivery_id`: a redelivered channel message finds the alert stored
 *   the first time and creates no second one.
 * - `created_at` is always written from the application clock (millisecond precision), so keyset
 *   cursors, which carry milliseconds, address rows exactly.
 * - Lists are newest first, ties broken by id descending; a cursor continues strictly after the last
 *   alert of the previous page, so pages never overlap or skip, even while alerts arrive.
 * - Every per-user operation is scoped by `user_id`: an alert id of another user behaves as absent.
 */
import { randomUUID } from 'node:crypto';
import type { SqlPool } from '@herald/plugin-storage';
import type { Alert, NewAlert } from './alert.js';
import { ALERT_SCHEMA } from './migrations.js';
import { encodeCursor, type CursorPosition } from './cursor.js';

/** What the store needs from a pool; `pg.Pool` (PostgreSQL or PGlite) fits. */
export interface AlertDatabase extends SqlPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

export interface ListAlertsQuery {
  readonly userId: string;
  /** `true`: unread only; `false`: read only; `undefined`: all. */
  readonly unread?: boolean | undefined;
  /** Page size, 1…`MAX_PAGE_SIZE`. */
  readonly limit: number;
  /** Continue after this position (decoded `next_cursor`). */
  readonly after?: CursorPosition | undefined;
}

export interface AlertPage {
  readonly items: readonly Alert[];
  /** Cursor of the next page, `null` on the last page. */
  readonly nextCursor: string | null;
}

export interface AlertCounts {
  readonly unread: number;
  readonly total: number;
}

export interface InsertResult {
  /** `false` when an alert for this `delivery_id` already existed (a redelivery). */
  readonly created: boolean;
  readonly alert: Alert;
}

/** Largest page the API serves. */
export const MAX_PAGE_SIZE = 200;
/** Page size when the request names none. */
export const DEFAULT_PAGE_SIZE = 50;

const TABLE = `${ALERT_SCHEMA}.alerts`;
const COLUMNS = 'id, user_id, title, description, url, icon, source, created_at, read_at, delivery_id';

interface AlertRow {
  id: string;
  user_id: string;
  title: string;
  description: string;
  url: string | null;
  icon: string;
  source: string;
  created_at: Date | string;
  read_at: Date | string | null;
  delivery_id: string;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

function toAlert(row: unknown): Alert {
  const r = row as AlertRow;
  return {
    id: r.id,
    user_id: r.user_id,
    title: r.title,
    description: r.description,
    url: r.url,
    icon: r.icon,
    source: r.source,
    created_at: toDate(r.created_at),
    read_at: r.read_at === null ? null : toDate(r.read_at),
    delivery_id: r.delivery_id,
  };
}

export class AlertStore {
  constructor(
    private readonly db: AlertDatabase,
    /** Clock for `created_at` and `read_at`. @default () => new Date() */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores an alert unless one exists for its `delivery_id`; returns the stored alert either way. */
  async insert(alert: NewAlert, createdAt: Date = this.now()): Promise<InsertResult> {
    const inserted = await this.db.query(
      `insert into ${TABLE} (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, null, $9)
       on conflict (delivery_id) do nothing returning ${COLUMNS}`,
      [randomUUID(), alert.user_id, alert.title, alert.description, alert.url, alert.icon, alert.source, createdAt, alert.delivery_id],
    );
    const row = inserted.rows[0];
    if (row !== undefined) return { created: true, alert: toAlert(row) };
    const existing = await this.db.query(`select ${COLUMNS} from ${TABLE} where delivery_id = $1`, [alert.delivery_id]);
    const found = existing.rows[0];
    if (found === undefined)
      throw new Error(`alert for delivery ${alert.delivery_id} neither inserted nor found (deleted concurrently); retry`);
    return { created: false, alert: toAlert(found) };
  }

  /** One page of a user's alerts, newest first. */
  async list(query: ListAlertsQuery): Promise<AlertPage> {
    const values: unknown[] = [query.userId];
    const where = ['user_id = $1'];
    if (query.unread === true) where.push('read_at is null');
    if (query.unread === false) where.push('read_at is not null');
    if (query.after !== undefined) {
      values.push(query.after.createdAt, query.after.id);
      where.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::text)`);
    }
    values.push(query.limit + 1);
    const result = await this.db.query(
      `select ${COLUMNS} from ${TABLE} where ${where.join(' and ')} order by created_at desc, id desc limit $${values.length}`,
      values,
    );
    const rows = result.rows.map(toAlert);
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > query.limit && last !== undefined ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null;
    return { items, nextCursor };
  }

  async get(userId: string, alertId: string): Promise<Alert | null> {
    const result = await this.db.query(`select ${COLUMNS} from ${TABLE} where user_id = $1 and id = $2`, [userId, alertId]);
    const row = result.rows[0];
    return row === undefined ? null : toAlert(row);
  }

  async count(userId: string): Promise<AlertCounts> {
    const result = await this.db.query(
      `select count(*) filter (where read_at is null)::int as unread, count(*)::int as total from ${TABLE} where user_id = $1`,
      [userId],
    );
    const row = result.rows[0] as { unread: number; total: number } | undefined;
    return { unread: Number(row?.unread ?? 0), total: Number(row?.total ?? 0) };
  }

  /** Marks one alert read (keeping the first `read_at` if it already was); `null` when absent. */
  async markRead(userId: string, alertId: string): Promise<Alert | null> {
    const result = await this.db.query(
      `update ${TABLE} set read_at = coalesce(read_at, $3) where user_id = $1 and id = $2 returning ${COLUMNS}`,
      [userId, alertId, this.now()],
    );
    const row = result.rows[0];
    return row === undefined ? null : toAlert(row);
  }

  /** Marks every unread alert of a user read; returns how many changed. */
  async markAllRead(userId: string): Promise<number> {
    const result = await this.db.query(`update ${TABLE} set read_at = $2 where user_id = $1 and read_at is null`, [userId, this.now()]);
    return result.rowCount ?? 0;
  }

  /** Deletes one alert; `false` when it was absent. */
  async delete(userId: string, alertId: string): Promise<boolean> {
    const result = await this.db.query(`delete from ${TABLE} where user_id = $1 and id = $2`, [userId, alertId]);
    return (result.rowCount ?? 0) > 0;
  }

  /** Deletes every alert of a user; returns how many were deleted. */
  async deleteAll(userId: string): Promise<number> {
    const result = await this.db.query(`delete from ${TABLE} where user_id = $1`, [userId]);
    return result.rowCount ?? 0;
  }

  /**
   * Retention (SPEC §5, §6 "alert retention"): keeps the newest `maxPerUser` alerts of every user
   * (newest by `created_at`, ties by id, the list order) and deletes the rest, read or not.
   * `-1` keeps everything, `0` deletes everything. Idempotent: a second run deletes nothing more.
   * @returns the number of alerts deleted
   */
  async applyRetention(maxPerUser: number): Promise<number> {
    if (!Number.isInteger(maxPerUser) || maxPerUser < -1) {
      throw new RangeError(`maxPerUser must be an integer ≥ -1 (-1 keeps all), got ${maxPerUser}`);
    }
    if (maxPerUser === -1) return 0;
    if (maxPerUser === 0) return (await this.db.query(`delete from ${TABLE}`)).rowCount ?? 0;
    const result = await this.db.query(
      `delete from ${TABLE} where id in (
         select id from (
           select id, row_number() over (partition by user_id order by created_at desc, id desc) as position from ${TABLE}
         ) ranked where position > $1
       )`,
      [maxPerUser],
    );
    return result.rowCount ?? 0;
  }
}
