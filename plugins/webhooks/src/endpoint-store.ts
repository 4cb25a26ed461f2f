/**
 * The endpoint store, in the plugin's own PostgreSQL schema `webhooks` (PostgreSQL or embedded
 * PGlite through a `pg`-compatible pool). Secrets (`header_value`, `signing_secrets`) are sealed
 * with AES-256-GCM before they are written and opened when read; nothing else sees them sealed.
 *
 * One connection at a time: the store never holds a connection while asking for another (a
 * PGlite pool has exactly one), so parallel sends queue on the pool instead of deadlocking.
 *
 * `webhooks.delivery_endpoints` records, per (delivery id, endpoint), what happened to that
 * endpoint for that delivery, so a retry sends only to the endpoints still pending.
 */
import { randomUUID } from 'node:crypto';
import { BoundedMemo, type SecretBox } from '@herald/contracts';
import { runSqlMigrations, type SqlMigration, type SqlPool } from '@herald/plugin-storage';
import { WebhookError } from './errors.js';
import {
  ACTIVE_TMP_CLEAN_MS,
  ACTIVE_TMP_PROMOTION_NOTE,
  afterFailure,
  REACTIVATION_DELAY_MS,
  SWEEP_REACTIVATION_MS,
  type EndpointStatus,
} from './status.js';

export const WEBHOOKS_SCHEMA = 'webhooks';

export const WEBHOOKS_MIGRATIONS: readonly SqlMigration[] = [
  {
    name: '0001-endpoints',
    sql: `
      create table webhooks.endpoints (
        id text primary key,
        name text not null,
        url text not null,
        header_name text,
        header_value text,
        signing_secrets text,
        owner text,
        status text not null default 'active'
          check (status in ('active', 'active_tmp', 'inactive_tmp', 'inactive_permanent')),
        first_error timestamptz,
        last_error timestamptz,
        note text,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        constraint endpoints_name_unique unique (name)
      );
      create index endpoints_owner on webhooks.endpoints (owner);
      create index endpoints_status on webhooks.endpoints (status, last_error);
      create table webhooks.delivery_endpoints (
        delivery_id text not null,
        endpoint_id text not null references webhooks.endpoints (id) on delete cascade,
        state text not null check (state in ('delivered', 'pending', 'failed', 'dropped')),
        detail text,
        updated_at timestamptz not null,
        primary key (delivery_id, endpoint_id)
      );
      create index delivery_endpoints_updated on webhooks.delivery_endpoints (updated_at);
    `,
  },
  {
    // owner_name: the owner as DefectDojo renders a user, learnt from personal deliveries (for pings);
    // since: when a delivery started waiting for an inactive_tmp endpoint (its maximum age counts from it);
    // deferred: messages waiting for inactive_tmp endpoints, published again once one is due back.
    name: '0002-owner-name-and-deferred-messages',
    sql: `
      alter table webhooks.endpoints add column owner_name text;
      alter table webhooks.delivery_endpoints add column since timestamptz;
      create table webhooks.deferred (
        delivery_id text primary key,
        message text not null,
        endpoint_ids text[] not null,
        due_at timestamptz not null,
        resumes integer not null default 0,
        claimed_until timestamptz,
        created_at timestamptz not null
      );
      create index deferred_due on webhooks.deferred (due_at);
    `,
  },
];

/** An endpoint with its secrets opened. */
export interface Endpoint {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly header_name: string | null;
  readonly header_value: string | null;
  /** `whsec_…` secrets; several during a rotation. */
  readonly signing_secrets: readonly string[];
  /** User id, or null for a system endpoint. */
  readonly owner: string | null;
  /** The owner as DefectDojo renders a user ("<full name> (<username>)"), once a personal delivery told it. */
  readonly owner_name: string | null;
  readonly status: EndpointStatus;
  readonly first_error: Date | null;
  readonly last_error: Date | null;
  readonly note: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface NewEndpoint {
  readonly name: string;
  readonly url: string;
  readonly header_name: string | null;
  readonly header_value: string | null;
  readonly signing_secrets: readonly string[];
  readonly owner: string | null;
  readonly note: string | null;
}

/** Fields an update may change; absent = unchanged. */
export type EndpointChanges = Partial<NewEndpoint>;

/** What happened to one endpoint for one delivery. */
export type DeliveryState = 'delivered' | 'pending' | 'failed' | 'dropped';
export interface DeliveryRecord {
  readonly state: DeliveryState;
  readonly detail: string | null;
  /** `pending`: when the delivery started waiting for this endpoint. */
  readonly since: Date | null;
}

/** An endpoint with what already happened to it for one delivery (`null`: nothing yet). */
export interface EndpointForDelivery {
  readonly endpoint: Endpoint;
  readonly record: DeliveryRecord | null;
}

/** Which endpoints a list returns: all, the system ones (no owner), or one user's. */
export type OwnerFilter = { readonly kind: 'all' } | { readonly kind: 'system' } | { readonly kind: 'user'; readonly userId: string };

export interface SweepResult {
  /** active_tmp → active (no error for 24 h). */
  readonly promoted: number;
  /** inactive_tmp → active_tmp (last error older than 5 min). */
  readonly reactivated: number;
}

interface Row {
  id: string;
  name: string;
  url: string;
  header_name: string | null;
  header_value: string | null;
  signing_secrets: string | null;
  owner: string | null;
  owner_name: string | null;
  status: EndpointStatus;
  first_error: Date | string | null;
  last_error: Date | string | null;
  note: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS =
  'id, name, url, header_name, header_value, signing_secrets, owner, owner_name, status, first_error, last_error, note, created_at, updated_at';
const E_COLUMNS = COLUMNS.split(', ')
  .map((c) => `e.${c}`)
  .join(', ');

/** The delivery records of one statement (see `flush`), values in arrays. */
const WRITE_OUTCOMES = `insert into webhooks.delivery_endpoints (delivery_id, endpoint_id, state, detail, updated_at, since)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
       as r(delivery_id, endpoint_id, state, detail, updated_at, since)
     where exists (select 1 from webhooks.endpoints e where e.id = r.endpoint_id)
     on conflict (delivery_id, endpoint_id) do update set state = excluded.state, detail = excluded.detail,
       updated_at = excluded.updated_at, since = case when webhooks.delivery_endpoints.state = 'pending'
         then coalesce(webhooks.delivery_endpoints.since, excluded.since) else excluded.since end`;

// Per lookup (q), its destination's endpoints: system ones (owner is null) or the user's, each
// branch by the owner index; then that delivery's record per endpoint.
const lookupEndpoints = (from: number): string =>
  `select q.i::int as q, e.*, d.state as d_state, d.detail as d_detail, d.since as d_since
       from unnest($${from}::text[], $${from + 1}::text[], $${from + 2}::int[]) with ordinality as q(delivery_id, owner, lim, i)
       cross join lateral (
         (select ${COLUMNS} from webhooks.endpoints where q.owner is null and owner is null
          union all
          select ${COLUMNS} from webhooks.endpoints where owner = q.owner)
         order by name limit q.lim
       ) e
       left join webhooks.delivery_endpoints d on d.endpoint_id = e.id and d.delivery_id = q.delivery_id
       order by q.i, e.name`;

// fixed texts, values in arrays: prepared once per connection (`prepareMarkedStatements`)
const RECORD_OUTCOMES = `/* prepare:record_outcomes */ ${WRITE_OUTCOMES}`;
const LOOKUP_ENDPOINTS = `/* prepare:lookup_endpoints */ ${lookupEndpoints(1)}`;
const RECORD_AND_LOOKUP = `/* prepare:record_and_lookup */ with written as (${WRITE_OUTCOMES} returning 1) ${lookupEndpoints(7)}`;
/** `flush`'s statements with empty input: they write nothing and find nothing (see `warmStatements`). */
const WARM_STATEMENTS: ReadonlyArray<readonly [string, unknown[]]> = [
  [RECORD_OUTCOMES, [[], [], [], [], [], []]],
  [LOOKUP_ENDPOINTS, [[], [], []]],
  [RECORD_AND_LOOKUP, [[], [], [], [], [], [], [], [], []]],
];

/** Delivery records written per statement, at most (group commit, see `flush`). */
const RECORD_BATCH = 256;

interface QueuedRecord {
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly state: DeliveryState;
  readonly detail: string | null;
  readonly at: Date;
  readonly since: Date | null;
  readonly done: { resolve: () => void; reject: (error: unknown) => void };
}

/** Destinations looked up per statement, at most (see `flush`). */
const LOOKUP_BATCH = 128;
/** Opened secrets remembered, at most (see `openCached`). */
const OPENED_CACHE_SIZE = 1_024;

interface QueuedLookup {
  /** The user id, or `null` for the system endpoints. */
  readonly owner: string | null;
  readonly deliveryId: string;
  readonly limit: number;
  readonly done: { resolve: (targets: EndpointForDelivery[]) => void; reject: (error: unknown) => void };
}

type LookupRow = Row & { q: number; d_state: DeliveryState | null; d_detail: string | null; d_since: Date | string | null };

const date = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const maybeDate = (value: Date | string | null): Date | null => (value === null ? null : date(value));

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export class EndpointStore {
  private queue: QueuedRecord[] = [];
  private flushing = false;
  private lookups: QueuedLookup[] = [];
  /** Opened secrets by sealed text (see `openCached`). */
  private readonly opened = new BoundedMemo<string, string>(OPENED_CACHE_SIZE);

  constructor(
    private readonly pool: SqlPool,
    private readonly box: SecretBox,
  ) {}

  /** Creates the schema and applies pending migrations. */
  async migrate(): Promise<string[]> {
    return runSqlMigrations(this.pool, WEBHOOKS_SCHEMA, WEBHOOKS_MIGRATIONS);
  }

  private location(id: string, field: string): string {
    return `webhooks.endpoints.${id}.${field}`;
  }

  private sealSecrets(id: string, secrets: readonly string[]): string | null {
    return secrets.length === 0 ? null : this.box.seal(JSON.stringify(secrets), this.location(id, 'signing_secrets'));
  }

  /**
   * Opens a sealed value, remembering the result by its sealed text and location: every send reads
   * the endpoint's secrets, and a changed secret is a new sealed text (fresh nonce), so an entry
   * never goes stale; the cache is only bounded.
   */
  private openCached(sealed: string, location: string): string {
    return this.opened.get(`${location}\u0000${sealed}`, () => this.box.open(sealed, location));
  }

  private toEndpoint(row: Row): Endpoint {
    const secrets =
      row.signing_secrets === null
        ? []
        : (JSON.parse(this.openCached(row.signing_secrets, this.location(row.id, 'signing_secrets'))) as string[]);
    return {
      id: row.id,
      name: row.name,
      url: row.url,
      header_name: row.header_name,
      header_value: row.header_value === null ? null : this.openCached(row.header_value, this.location(row.id, 'header_value')),
      signing_secrets: secrets,
      owner: row.owner,
      owner_name: row.owner_name,
      status: row.status,
      first_error: maybeDate(row.first_error),
      last_error: maybeDate(row.last_error),
      note: row.note,
      created_at: date(row.created_at),
      updated_at: date(row.updated_at),
    };
  }

  private async rows(text: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(text, values)).rows as Row[];
  }

  /** Inserts an endpoint (status `active`); `conflict` when the name is taken. */
  async create(input: NewEndpoint, now: Date): Promise<Endpoint> {
    const id = randomUUID();
    try {
      const [row] = await this.rows(
        `insert into webhooks.endpoints (id, name, url, header_name, header_value, signing_secrets, owner, status, note, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $9) returning ${COLUMNS}`,
        [
          id,
          input.name,
          input.url,
          input.header_name,
          input.header_value === null ? null : this.box.seal(input.header_value, this.location(id, 'header_value')),
          this.sealSecrets(id, input.signing_secrets),
          input.owner,
          input.note,
          now,
        ],
      );
      if (!row) throw new Error('insert returned no row');
      return this.toEndpoint(row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new WebhookError('conflict', `a webhook endpoint named "${input.name}" already exists`, [
          { path: 'name', message: 'already taken' },
        ]);
      throw error;
    }
  }

  async nameTaken(name: string): Promise<boolean> {
    return (await this.pool.query(`select 1 from webhooks.endpoints where name = $1`, [name])).rows.length > 0;
  }

  async get(id: string): Promise<Endpoint | null> {
    const [row] = await this.rows(`select ${COLUMNS} from webhooks.endpoints where id = $1`, [id]);
    return row ? this.toEndpoint(row) : null;
  }

  /** Endpoints by name; `after` is the last name of the previous page. */
  async list(filter: OwnerFilter, limit: number, after: string | null = null): Promise<Endpoint[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.kind === 'system') where.push('owner is null');
    if (filter.kind === 'user') {
      values.push(filter.userId);
      where.push(`owner = $${values.length}`);
    }
    if (after !== null) {
      values.push(after);
      where.push(`name > $${values.length}`);
    }
    values.push(limit);
    const rows = await this.rows(
      `select ${COLUMNS} from webhooks.endpoints ${where.length ? `where ${where.join(' and ')}` : ''} order by name limit $${values.length}`,
      values,
    );
    return rows.map((row) => this.toEndpoint(row));
  }

  /** Applies changes; `null` when the endpoint does not exist, `conflict` when the new name is taken. */
  async update(id: string, changes: EndpointChanges, now: Date): Promise<Endpoint | null> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    const set = (column: string, value: unknown): void => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.url !== undefined) set('url', changes.url);
    if (changes.header_name !== undefined) set('header_name', changes.header_name);
    if (changes.header_value !== undefined) {
      set('header_value', changes.header_value === null ? null : this.box.seal(changes.header_value, this.location(id, 'header_value')));
    }
    if (changes.signing_secrets !== undefined) set('signing_secrets', this.sealSecrets(id, changes.signing_secrets));
    if (changes.owner !== undefined) {
      set('owner', changes.owner);
      set('owner_name', null);
    }
    if (changes.note !== undefined) set('note', changes.note);
    set('updated_at', now);
    try {
      const [row] = await this.rows(`update webhooks.endpoints set ${sets.join(', ')} where id = $1 returning ${COLUMNS}`, values);
      return row ? this.toEndpoint(row) : null;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new WebhookError('conflict', `a webhook endpoint named "${changes.name ?? ''}" already exists`, [
          { path: 'name', message: 'already taken' },
        ]);
      }
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    return (await this.rows(`delete from webhooks.endpoints where id = $1 returning id`, [id])).length > 0;
  }

  /** Sets a status by hand (activate / deactivate): errors cleared, note replaced. */
  async setStatus(id: string, status: EndpointStatus, note: string | null, now: Date): Promise<Endpoint | null> {
    const [row] = await this.rows(
      `update webhooks.endpoints set status = $2, first_error = null, last_error = null, note = $3, updated_at = $4
       where id = $1 returning ${COLUMNS}`,
      [id, status, note, now],
    );
    return row ? this.toEndpoint(row) : null;
  }

  /** Applies the status machine to a failed attempt, atomically (row lock), and returns the endpoint after it. */
  async recordFailure(id: string, kind: 'temporary' | 'permanent', note: string, now: Date): Promise<Endpoint | null> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const [row] = (await client.query(`select ${COLUMNS} from webhooks.endpoints where id = $1 for update`, [id])).rows as Row[];
      if (!row) {
        await client.query('rollback');
        return null;
      }
      const next = afterFailure(
        { status: row.status, first_error: maybeDate(row.first_error), last_error: maybeDate(row.last_error), note: row.note },
        kind,
        note,
        now,
      );
      const [updated] = (
        await client.query(
          `update webhooks.endpoints set status = $2, first_error = $3, last_error = $4, note = $5, updated_at = $6 where id = $1 returning ${COLUMNS}`,
          [id, next.status, next.first_error, next.last_error, next.note, now],
        )
      ).rows as Row[];
      await client.query('commit');
      return updated ? this.toEndpoint(updated) : null;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** inactive_tmp → active_tmp for endpoints whose last error is at least 60 s old; returns how many. */
  async reactivateDue(now: Date): Promise<number> {
    const rows = await this.rows(
      `update webhooks.endpoints set status = 'active_tmp', updated_at = $1
       where status = 'inactive_tmp' and (last_error is null or last_error <= $2) returning id`,
      [now, new Date(now.getTime() - REACTIVATION_DELAY_MS)],
    );
    return rows.length;
  }

  /** The every-minute sweep (see `sweepEndpoints`). */
  async sweep(now: Date): Promise<SweepResult> {
    const promoted = await this.rows(
      `update webhooks.endpoints set status = 'active', first_error = null, last_error = null, note = $2, updated_at = $1
       where status = 'active_tmp' and (last_error is null or last_error < $3) returning id`,
      [now, ACTIVE_TMP_PROMOTION_NOTE, new Date(now.getTime() - ACTIVE_TMP_CLEAN_MS)],
    );
    const reactivated = await this.rows(
      `update webhooks.endpoints set status = 'active_tmp', updated_at = $1
       where status = 'inactive_tmp' and (last_error is null or last_error < $2) returning id`,
      [now, new Date(now.getTime() - SWEEP_REACTIVATION_MS)],
    );
    return { promoted: promoted.length, reactivated: reactivated.length };
  }

  /**
   * The endpoints of a destination (by name, at most `limit`) with what happened to each for
   * `deliveryId`. Batched with the delivery records (see `flush`): one round trip for the
   * lookups and records of the messages in flight, each destination with its own limit and its own
   * delivery's records; a failed statement rejects every lookup in it.
   */
  endpointsForDelivery(filter: OwnerFilter, deliveryId: string, limit: number): Promise<EndpointForDelivery[]> {
    if (filter.kind === 'all') return this.allEndpointsForDelivery(deliveryId, limit);
    return new Promise<EndpointForDelivery[]>((resolve, reject) => {
      this.lookups.push({ owner: filter.kind === 'user' ? filter.userId : null, deliveryId, limit, done: { resolve, reject } });
      if (!this.flushing) void this.flush();
    });
  }

  /** Every endpoint (not a destination's): one statement of its own. */
  private async allEndpointsForDelivery(deliveryId: string, limit: number): Promise<EndpointForDelivery[]> {
    const rows = (
      await this.pool.query(
        `select ${E_COLUMNS}, d.state as d_state, d.detail as d_detail, d.since as d_since
         from webhooks.endpoints e
         left join webhooks.delivery_endpoints d on d.endpoint_id = e.id and d.delivery_id = $1
         order by e.name limit $2`,
        [deliveryId, limit],
      )
    ).rows as LookupRow[];
    return rows.map((row) => this.toEndpointForDelivery(row));
  }

  private toEndpointForDelivery(row: Omit<LookupRow, 'q'>): EndpointForDelivery {
    return {
      endpoint: this.toEndpoint(row),
      record: row.d_state === null ? null : { state: row.d_state, detail: row.d_detail, since: maybeDate(row.d_since) },
    };
  }

  /**
   * Records what happened to one endpoint for one delivery. Group-committed (see `flush`): the
   * promise resolves once the record is committed, and rejects if its statement failed. `since`
   * is kept from an earlier record of the same pair when there is one. A record for an endpoint
   * deleted meanwhile is skipped (its records go with it): it would otherwise fail its statement,
   * and everything sharing it, on each retry.
   */
  recordDelivery(
    deliveryId: string,
    endpointId: string,
    state: DeliveryState,
    detail: string | null,
    now: Date,
    since: Date | null = null,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ deliveryId, endpointId, state, detail, at: now, since, done: { resolve, reject } });
      if (!this.flushing) void this.flush();
    });
  }

  /**
   * Warm-up (issue 15, "no cold start"): runs `flush`'s statements with empty input on
   * `connections` connections at once (each checked out before any is returned), writing and
   * finding nothing. A statement is prepared once per connection and a new backend reads its
   * catalog on first use: the first record-and-lookup on a connection took 12.7 ms, the next 1.6 ms
   * (test/bench/README.md, "Sixth session"). @default 2, the connections `openSqlPool` keeps open
   */
  async warmStatements(connections = 2): Promise<void> {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        const client = await this.pool.connect();
        try {
          for (const [text, values] of WARM_STATEMENTS) await client.query(text, values);
        } finally {
          client.release();
        }
      }),
    );
  }

  /**
   * The per-message statements of a send, batched: every destination lookup and delivery record
   * asked for while a statement runs goes into the next one — a single statement whose write is a
   * data-modifying CTE (PostgreSQL runs it atomically, whether or not the select reads it) and
   * whose select answers the lookups. The select sees the rows as they were before the statement,
   * which is what a lookup running just before the write would have seen; the lookups and records
   * of one statement belong to different messages in flight. No timers: a lone request goes at once.
   */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0 || this.lookups.length > 0) {
        const records = this.queue.splice(0, RECORD_BATCH);
        const lookups = this.lookups.splice(0, LOOKUP_BATCH);
        const fail = (error: unknown): void => {
          for (const item of records) item.done.reject(error);
          for (const lookup of lookups) lookup.done.reject(error);
        };
        // One row per pair per statement (PostgreSQL refuses to upsert a row twice in one): the last wins.
        const latest = new Map<string, QueuedRecord>();
        for (const item of records) latest.set(`${item.deliveryId}\u0000${item.endpointId}`, item);
        const rows = [...latest.values()];
        const writeValues = [
          rows.map((r) => r.deliveryId),
          rows.map((r) => r.endpointId),
          rows.map((r) => r.state),
          rows.map((r) => r.detail),
          rows.map((r) => r.at),
          rows.map((r) => r.since),
        ];
        const lookupValues = [lookups.map((l) => l.deliveryId), lookups.map((l) => l.owner), lookups.map((l) => l.limit)];
        let found: LookupRow[];
        try {
          if (lookups.length === 0) {
            await this.pool.query(RECORD_OUTCOMES, writeValues);
            found = [];
          } else if (records.length === 0) {
            found = (await this.pool.query(LOOKUP_ENDPOINTS, lookupValues)).rows as LookupRow[];
          } else {
            found = (await this.pool.query(RECORD_AND_LOOKUP, [...writeValues, ...lookupValues])).rows as LookupRow[];
          }
        } catch (error) {
          fail(error);
          continue;
        }
        for (const item of records) item.done.resolve();
        const results = lookups.map((): EndpointForDelivery[] => []);
        try {
          for (const row of found) results[row.q - 1]?.push(this.toEndpointForDelivery(row));
        } catch (error) {
          // A sealed value that does not open (wrong key, tampered row) fails this statement's lookups.
          for (const pending of lookups) pending.done.reject(error);
          continue;
        }
        lookups.forEach((pending, index) => pending.done.resolve(results[index] ?? []));
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Stores a message that waits for `endpointIds` (inactive_tmp) until `dueAt`, or updates the
   * stored one: one row per delivery id. Each deferral counts one more `resumes`, so every
   * re-publish of the same deferral has the same message id (JetStream drops a repeated publish).
   */
  async defer(deliveryId: string, message: string, endpointIds: readonly string[], dueAt: Date, now: Date): Promise<void> {
    await this.pool.query(
      `insert into webhooks.deferred (delivery_id, message, endpoint_ids, due_at, resumes, claimed_until, created_at)
       values ($1, $2, $3::text[], $4, 0, null, $5)
       on conflict (delivery_id) do update set message = excluded.message, endpoint_ids = excluded.endpoint_ids,
         due_at = excluded.due_at, resumes = webhooks.deferred.resumes + 1, claimed_until = null`,
      [deliveryId, message, endpointIds, dueAt, now],
    );
  }

  /**
   * Claims up to `limit` deferred messages that may go on at `now` — due, and waiting for at least
   * one endpoint that is no longer held back (not inactive_tmp, or due for its reactivation, or
   * deleted) — for `leaseMs` (another replica skips them meanwhile), oldest first.
   */
  async claimDeferred(now: Date, limit: number, leaseMs: number): Promise<Array<{ deliveryId: string; message: string; resumes: number }>> {
    const rows = (
      await this.pool.query(
        `update webhooks.deferred d set claimed_until = $3
         where d.delivery_id in (
           select f.delivery_id from webhooks.deferred f
           where f.due_at <= $1 and (f.claimed_until is null or f.claimed_until <= $1)
             and (
               exists (select 1 from webhooks.endpoints e where e.id = any(f.endpoint_ids)
                       and not (e.status = 'inactive_tmp' and e.last_error is not null and e.last_error > $2))
               or not exists (select 1 from webhooks.endpoints e where e.id = any(f.endpoint_ids))
             )
           order by f.due_at limit $4
           for update skip locked)
         returning d.delivery_id, d.message, d.resumes`,
        [now, new Date(now.getTime() - REACTIVATION_DELAY_MS), new Date(now.getTime() + leaseMs), limit],
      )
    ).rows as Array<{ delivery_id: string; message: string; resumes: number }>;
    return rows.map((r) => ({ deliveryId: r.delivery_id, message: r.message, resumes: r.resumes }));
  }

  /** Forgets a deferred message once its re-published copy reached a final outcome. */
  async forgetDeferred(deliveryId: string): Promise<void> {
    await this.pool.query(`delete from webhooks.deferred where delivery_id = $1`, [deliveryId]);
  }

  /** How many messages wait (metrics, tests). */
  async deferredCount(): Promise<number> {
    const [row] = (await this.pool.query(`select count(*)::int as n from webhooks.deferred`)).rows as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  /** Remembers how the owner of these endpoints is rendered (from a personal delivery). */
  async setOwnerName(ids: readonly string[], ownerName: string): Promise<void> {
    await this.pool.query(`update webhooks.endpoints set owner_name = $2 where id = any($1::text[])`, [ids, ownerName]);
  }

  /** Forgets per-endpoint delivery records last touched before `before`; returns how many. */
  async pruneDeliveryRecords(before: Date): Promise<number> {
    const rows = (await this.pool.query(`delete from webhooks.delivery_endpoints where updated_at < $1 returning delivery_id`, [before]))
      .rows;
    return rows.length;
  }
}
