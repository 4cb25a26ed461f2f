/**
 * What happened to events: routing decisions, one row per delivery with its latest outcome, dead
 * letters, and the ingest de-duplication ledger (SPEC §3, §7, §8).
 *
 * Invariants: recording the same routing twice changes nothing (deliveries insert `on conflict do
 * nothing`); a status never regresses a delivery — a final outcome (delivered, failed, dropped) is
 * never replaced by a late `retrying`, a `retrying` never by an older attempt, and a final outcome
 * only by a later final one (a replay). Lists are keyset-paginated, newest first.
 */
import { randomUUID } from 'node:crypto';
import { HeraldError, type DeadLetter, type DeliveryStatus, type Destination, type ValidationIssue } from '@herald/contracts';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { RawBuilder } from 'kysely';
import type { DeliveryLogOutcome } from './delivery.entity.js';
import { queryRows, sql, toIso, toIsoOrNull } from './sql.js';

/** One delivery routing decided on, as published. */
export interface RoutedDelivery {
  readonly delivery_id: string;
  readonly channel: string;
  readonly destination: Destination;
  /** Present when the delivery is held (quiet hours, digest): logged as `held` until released. */
  readonly hold?: unknown;
}

export interface RoutingRecord {
  /** The event's `source`: with `eventId`, its identity (the same id from two sources is two events). */
  readonly source: string;
  readonly eventId: string;
  readonly type: string;
  /** The preference column the event was routed by. */
  readonly column: string;
  /** Routing's decisions, stored as JSON and served verbatim. */
  readonly decisions: unknown;
  readonly deliveries: readonly RoutedDelivery[];
}

/**
 * One chunk of an event routed in chunks (a broadcast, `routeInChunks`): its deliveries and its
 * part of the decisions. Parts do not mark the event routed; `completeRoutingParts` does, once
 * every part is stored.
 */
export interface RoutingPart {
  readonly source: string;
  readonly eventId: string;
  /** 0, 1, 2, …: where this chunk's decisions go in the event's decisions. */
  readonly part: number;
  readonly decisions: readonly unknown[];
  readonly deliveries: readonly RoutedDelivery[];
}

/** The record that marks an event routed in `parts` chunks. */
export interface RoutingCompletion {
  readonly source: string;
  readonly eventId: string;
  readonly type: string;
  readonly column: string;
  readonly parts: number;
}

export interface DeliveryView {
  readonly delivery_id: string;
  readonly event_id: string;
  readonly channel: string;
  /** `null` for system-scope deliveries. */
  readonly user_id: string | null;
  readonly destination: Destination;
  readonly outcome: DeliveryLogOutcome;
  /** 0 while only published. */
  readonly attempt: number;
  readonly detail: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface DeliveryFilters {
  readonly event_id?: string | undefined;
  readonly user_id?: string | undefined;
  readonly channel?: string | undefined;
  readonly outcome?: DeliveryLogOutcome | undefined;
}

export interface DecisionsView {
  readonly source: string;
  readonly event_id: string;
  readonly type: string;
  readonly column: string;
  readonly decisions: unknown;
  readonly routed_at: string;
}

/** A dead letter as listed (no payload: it may be up to the event size limit). */
export interface DeadLetterSummary {
  readonly id: string;
  readonly stage: DeadLetter['stage'];
  readonly subject: string;
  readonly reason: string;
  readonly issues: ValidationIssue[];
  readonly event_id: string | null;
  readonly created_at: string;
  readonly replayed_at: string | null;
}

/** A dead letter with everything needed to replay it. */
export interface DeadLetterView extends DeadLetterSummary {
  readonly headers: Record<string, string>;
  readonly payload_base64: string;
  readonly stream: string;
  readonly stream_seq: number;
  readonly deliveries: number;
}

export interface DeadLetterFilters {
  readonly stage?: DeadLetter['stage'] | undefined;
  /** `true`: replayed only; `false`: not yet replayed. */
  readonly replayed?: boolean | undefined;
  readonly event_id?: string | undefined;
}

/** `{ items, next_cursor }` as every list of the API answers. */
export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/** Default and maximum page sizes. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const FINAL = ['delivered', 'failed', 'dropped'];

/** Deliveries per statement when one routing record is larger (a broadcast). */
const DELIVERY_CHUNK = 5_000;

interface DecisionRow {
  source: string;
  event_id: string;
  type: string;
  column_name: string;
  decisions: unknown;
}

interface DeliveryInsertRow {
  outcome: 'published' | 'held';
  delivery_id: string;
  event_id: string;
  channel: string;
  user_id: string | null;
  destination: Destination;
}

/** Routing's record of a batch (see `recordRoutingMany`): both inserts as data-modifying CTEs of one statement. */
function recordRoutingStatement(decisions: readonly DecisionRow[], deliveries: readonly DeliveryInsertRow[]): RawBuilder<unknown> {
  return sql`/* prepare:record_routing */ with decided as (${insertDecisions(decisions)}), delivered as (${insertDeliveries(deliveries)}) select 1`;
}

/** A status report as `applyStatusStatement` writes it. */
interface StatusRow {
  readonly delivery_id: string;
  readonly event_id: string;
  readonly channel: string;
  readonly user_id: string | null;
  readonly destination: Destination;
  readonly outcome: DeliveryStatus['outcome'];
  readonly attempt: number;
  readonly detail: string | null;
  readonly at: DeliveryStatus['at'];
}

/** One round of status reports (see `applyStatusMany`); returns the delivery ids it applied. */
function applyStatusStatement(rows: readonly StatusRow[]): RawBuilder<{ delivery_id: string }> {
  return sql<{ delivery_id: string }>`/* prepare:apply_status */ insert into gateway.deliveries as d
        (delivery_id, event_id, channel, user_id, destination, outcome, attempt, detail, updated_at)
      select s.delivery_id, s.event_id, s.channel, s.user_id, s.destination, s.outcome, s.attempt, s.detail, s.at
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as s(delivery_id text, event_id text, channel text,
        user_id text, destination jsonb, outcome text, attempt integer, detail text, at timestamptz)
      order by s.delivery_id
      on conflict (delivery_id) do update set outcome = excluded.outcome, attempt = excluded.attempt,
        detail = excluded.detail, updated_at = excluded.updated_at
      where case
        when d.outcome in (${sql.join(FINAL)})
          then excluded.outcome in (${sql.join(FINAL)}) and excluded.updated_at > d.updated_at
        when excluded.outcome = 'retrying' then excluded.attempt >= d.attempt
        else true
      end
      returning d.delivery_id`;
}

function insertDecisions(decisions: readonly DecisionRow[]): RawBuilder<unknown> {
  return sql`insert into gateway.event_decisions (source, event_id, type, column_name, decisions)
    select d.source, d.event_id, d.type, d.column_name, d.decisions
    from jsonb_to_recordset(${JSON.stringify(decisions)}::jsonb) as d(source text, event_id text, type text, column_name text, decisions jsonb)
    order by d.source, d.event_id
    on conflict (source, event_id) do update set type = excluded.type, column_name = excluded.column_name,
      decisions = excluded.decisions, parts = 0, routed_at = now()`;
}

/** Insert rows for the deliveries of some records, each delivery id once, made as they are written. */
function* deliveryRows(
  records: Iterable<{ readonly eventId: string; readonly deliveries: readonly RoutedDelivery[] }>,
): Generator<DeliveryInsertRow> {
  const seen = new Set<string>();
  for (const record of records) {
    for (const delivery of record.deliveries) {
      if (seen.has(delivery.delivery_id)) continue;
      seen.add(delivery.delivery_id);
      yield {
        outcome: delivery.hold === undefined ? 'published' : 'held',
        delivery_id: delivery.delivery_id,
        event_id: record.eventId,
        channel: delivery.channel,
        user_id: delivery.destination.scope === 'personal' ? delivery.destination.user.id : null,
        destination: delivery.destination,
      };
    }
  }
}

function insertDeliveries(deliveries: readonly DeliveryInsertRow[]): RawBuilder<unknown> {
  return sql`insert into gateway.deliveries (delivery_id, event_id, channel, user_id, destination, outcome, attempt)
    select d.delivery_id, d.event_id, d.channel, d.user_id, d.destination, d.outcome, 0
    from jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb)
      as d(delivery_id text, event_id text, channel text, user_id text, destination jsonb, outcome text)
    order by d.delivery_id
    on conflict (delivery_id) do nothing`;
}

function encodeCursor(seq: string): string {
  return Buffer.from(`s:${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^s:(\d{1,19})$/.exec(text);
  if (!match?.[1]) {
    throw new HeraldError('validation_failed', 'Invalid cursor: pass the next_cursor of a previous page unchanged', [
      { path: 'cursor', message: 'is not a cursor returned by this list' },
    ]);
  }
  return match[1];
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(limit)));
}

function page<Row extends { seq: string }, T>(rows: Row[], size: number, map: (row: Row) => T): Page<T> {
  const items = rows.slice(0, size);
  const last = items.at(-1);
  return { items: items.map(map), next_cursor: rows.length > size && last ? encodeCursor(String(last.seq)) : null };
}

function where(conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `);
}

interface DeliveryRow {
  seq: string;
  delivery_id: string;
  event_id: string;
  channel: string;
  user_id: string | null;
  destination: Destination;
  outcome: DeliveryLogOutcome;
  attempt: number;
  detail: string | null;
  created_at: unknown;
  updated_at: unknown;
}

interface DeadLetterRow {
  seq: string;
  id: string;
  stage: DeadLetter['stage'];
  subject: string;
  reason: string;
  issues: ValidationIssue[];
  event_id: string | null;
  created_at: unknown;
  replayed_at: unknown;
  headers?: Record<string, string>;
  payload?: string;
  stream?: string;
  stream_seq?: string | number;
  deliveries?: number;
}

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    delivery_id: row.delivery_id,
    event_id: row.event_id,
    channel: row.channel,
    user_id: row.user_id,
    destination: row.destination,
    outcome: row.outcome,
    attempt: row.attempt,
    detail: row.detail,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

function deadLetterSummary(row: DeadLetterRow): DeadLetterSummary {
  return {
    id: row.id,
    stage: row.stage,
    subject: row.subject,
    reason: row.reason,
    issues: row.issues,
    event_id: row.event_id,
    created_at: toIso(row.created_at),
    replayed_at: toIsoOrNull(row.replayed_at),
  };
}

@Injectable()
export class DeliveryLogRepository {
  constructor(private readonly em: EntityManager) {}

  /** Stores an event's decisions and its deliveries (as `published`) in one transaction. Idempotent. */
  async recordRouting(record: RoutingRecord): Promise<void> {
    await this.recordRoutingMany([record]);
  }

  /**
   * Records several routings in ONE statement (group commit, one round trip): both inserts are
   * data-modifying CTEs of a single statement, which PostgreSQL runs atomically — all rows or none,
   * exactly like the explicit transaction it replaces (begin, two inserts, commit: four round
   * trips). Within a batch the last record of an event wins and each delivery id is inserted once.
   */
  async recordRoutingMany(records: readonly RoutingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byEvent = new Map<string, RoutingRecord>();
    for (const record of records) byEvent.set(JSON.stringify([record.source, record.eventId]), record);
    const batch = [...byEvent.values()];
    const decisions = batch.map((r) => ({
      source: r.source,
      event_id: r.eventId,
      type: r.type,
      column_name: r.column,
      decisions: r.decisions ?? null,
    }));
    // Each delivery id is inserted once (a batch never holds two events with the same delivery,
    // but a statement must not touch a row twice).
    await this.writeWithDeliveries(insertDecisions(decisions), batch, (rows) => recordRoutingStatement(decisions, rows));
  }

  /**
   * Writes `head` and the deliveries of `records` atomically. Up to `DELIVERY_CHUNK` deliveries:
   * `oneStatement`, both inserts as data-modifying CTEs of one statement (one round trip). More:
   * one transaction, `head` then the deliveries in chunks (bounded statement size and memory
   * instead of one JSON document of every delivery); their insert rows are made as they are written.
   */
  private async writeWithDeliveries(
    head: RawBuilder<unknown>,
    records: readonly { readonly eventId: string; readonly deliveries: readonly RoutedDelivery[] }[],
    oneStatement: (rows: readonly DeliveryInsertRow[]) => RawBuilder<unknown>,
  ): Promise<void> {
    let planned = 0;
    for (const record of records) planned += record.deliveries.length;
    if (planned <= DELIVERY_CHUNK) {
      await queryRows(this.em.fork(), oneStatement([...deliveryRows(records)]));
      return;
    }
    await this.em.fork().transactional(async (tx) => {
      await queryRows(tx, head);
      let chunk: DeliveryInsertRow[] = [];
      for (const row of deliveryRows(records)) {
        chunk.push(row);
        if (chunk.length === DELIVERY_CHUNK) {
          await queryRows(tx, insertDeliveries(chunk));
          chunk = [];
        }
      }
      if (chunk.length > 0) await queryRows(tx, insertDeliveries(chunk));
    });
  }

  /**
   * Stores one chunk of an event routed in chunks: its deliveries (as `published` or `held`) and
   * its part of the decisions, atomically. Idempotent: a part written again replaces the earlier
   * one, a delivery already logged is left as it is (its status may have moved on).
   */
  async recordRoutingPart(part: RoutingPart): Promise<void> {
    if (!Number.isInteger(part.part) || part.part < 0) throw new RangeError(`part must be an integer ≥ 0, got ${part.part}`);
    const insertPart = sql`insert into gateway.event_decision_parts (source, event_id, part, decisions)
      values (${part.source}, ${part.eventId}, ${part.part}, ${JSON.stringify(part.decisions)}::jsonb)
      on conflict (source, event_id, part) do update set decisions = excluded.decisions`;
    await this.writeWithDeliveries(
      insertPart,
      [part],
      (rows) => sql`with decided as (${insertPart}), delivered as (${insertDeliveries(rows)}) select 1`,
    );
  }

  /**
   * Marks an event routed in `parts` chunks, after every part was stored (`recordRoutingPart`):
   * its decisions row says how many parts make its decisions, and parts left by an earlier
   * attempt beyond them are deleted in the same statement.
   */
  async completeRoutingParts(done: RoutingCompletion): Promise<void> {
    if (!Number.isInteger(done.parts) || done.parts < 1) throw new RangeError(`parts must be an integer ≥ 1, got ${done.parts}`);
    await queryRows(
      this.em.fork(),
      sql`with done as (insert into gateway.event_decisions (source, event_id, type, column_name, decisions, parts)
          values (${done.source}, ${done.eventId}, ${done.type}, ${done.column}, '[]'::jsonb, ${done.parts})
          on conflict (source, event_id) do update set type = excluded.type, column_name = excluded.column_name,
            decisions = excluded.decisions, parts = excluded.parts, routed_at = now())
        delete from gateway.event_decision_parts where source = ${done.source} and event_id = ${done.eventId} and part >= ${done.parts}`,
    );
  }

  /**
   * Warm-up (issue 15, "no cold start"): runs the hot statements — the routing record and the
   * status report — with empty input on `connections` connections at once (each in a transaction
   * of its own, so each on its own connection), writing nothing. A prepared statement is parsed
   * and planned once per connection, and a new backend reads its catalog on first use: the first
   * run on a connection took 13 ms where the next took 1 ms (test/bench/README.md, "Sixth session").
   */
  async warmStatements(connections: number): Promise<void> {
    await Promise.all(
      Array.from({ length: connections }, () =>
        this.em.fork().transactional(async (tx) => {
          await queryRows(tx, recordRoutingStatement([], []));
          await queryRows(tx, applyStatusStatement([]));
        }),
      ),
    );
  }

  /**
   * Applies a plugin's status report; inserts the delivery if routing's record is missing.
   * `ignored` when the report is older than what is stored (see the file header).
   */
  async applyStatus(status: DeliveryStatus): Promise<'applied' | 'ignored'> {
    const [result] = await this.applyStatusMany([status]);
    return result ?? 'ignored';
  }

  /**
   * `applyStatus` for several reports in one statement per round (group commit): reports of
   * distinct deliveries go in one `insert … on conflict … where`, so the same rules decide; a
   * second report of a delivery already in the round waits for the next round (a statement may
   * touch a row once), so reports of one delivery are still applied in the order given. Results
   * in the order of `statuses`.
   */
  async applyStatusMany(statuses: readonly DeliveryStatus[]): Promise<('applied' | 'ignored')[]> {
    const results = new Array<'applied' | 'ignored'>(statuses.length).fill('ignored');
    let remaining = statuses.map((status, index) => ({ status, index }));
    while (remaining.length > 0) {
      const round = new Map<string, { status: DeliveryStatus; index: number }>();
      const later: typeof remaining = [];
      for (const item of remaining) {
        if (round.has(item.status.delivery_id)) later.push(item);
        else round.set(item.status.delivery_id, item);
      }
      const rows = [...round.values()].map(({ status }): StatusRow => ({
        delivery_id: status.delivery_id,
        event_id: status.event_id,
        channel: status.channel,
        user_id: status.destination.scope === 'personal' ? status.destination.user.id : null,
        destination: status.destination,
        outcome: status.outcome,
        attempt: status.attempt,
        detail: status.detail ?? null,
        at: status.at,
      }));
      const applied = await queryRows(this.em.fork(), applyStatusStatement(rows));
      for (const { delivery_id } of applied) {
        const item = round.get(delivery_id);
        if (item) results[item.index] = 'applied';
      }
      remaining = later;
    }
    return results;
  }

  /** Deliveries matching every given filter, newest first. Throws `validation_failed` for a foreign cursor. */
  async listDeliveries(filters: DeliveryFilters, cursor?: string | null, limit?: number): Promise<Page<DeliveryView>> {
    const after = decodeCursor(cursor);
    const size = pageSize(limit);
    const conditions: RawBuilder<unknown>[] = [];
    if (filters.event_id !== undefined) conditions.push(sql`event_id = ${filters.event_id}`);
    if (filters.user_id !== undefined) conditions.push(sql`user_id = ${filters.user_id}`);
    if (filters.channel !== undefined) conditions.push(sql`channel = ${filters.channel}`);
    if (filters.outcome !== undefined) conditions.push(sql`outcome = ${filters.outcome}`);
    if (after !== null) conditions.push(sql`seq < ${after}::bigint`);
    // Order by the column, qualified: a bare `seq` would mean the text alias (and "9" > "10").
    const rows = await queryRows(
      this.em.fork(),
      sql<DeliveryRow>`select seq::text as seq, delivery_id, event_id, channel, user_id, destination, outcome, attempt, detail,
          created_at, updated_at
        from gateway.deliveries where ${where(conditions)} order by deliveries.seq desc limit ${size + 1}`,
    );
    return page(rows, size, deliveryView);
  }

  /**
   * Whether routing recorded the event (`source`, `id`): its decisions row is written in the same
   * statement as its deliveries, after they were published (the event ledger's "routed").
   */
  async isRouted(source: string, eventId: string): Promise<boolean> {
    const rows = await queryRows(
      this.em.fork(),
      sql<{
        routed: boolean;
      }>`select exists (select 1 from gateway.event_decisions where source = ${source} and event_id = ${eventId}) as routed`,
    );
    return rows[0]?.routed === true;
  }

  /**
   * The decisions recorded for an event id: one per source that published that id (usually one),
   * or only the given source's.
   */
  async getDecisions(eventId: string, source?: string): Promise<DecisionsView[]> {
    const rows = await queryRows(
      this.em.fork(),
      // an event routed in chunks keeps its decisions in parts: concatenated here, in order
      sql<{ source: string; event_id: string; type: string; column_name: string; decisions: unknown; routed_at: unknown }>`select
        d.source, d.event_id, d.type, d.column_name, d.routed_at,
        case when d.parts = 0 then d.decisions else (
          select coalesce(jsonb_agg(e.decision order by p.part, e.n), '[]'::jsonb)
          from gateway.event_decision_parts p cross join lateral jsonb_array_elements(p.decisions) with ordinality as e(decision, n)
          where p.source = d.source and p.event_id = d.event_id and p.part < d.parts
        ) end as decisions
        from gateway.event_decisions d
        where d.event_id = ${eventId} ${source === undefined ? sql`` : sql`and d.source = ${source}`} order by d.source`,
    );
    return rows.map((row) => ({
      source: row.source,
      event_id: row.event_id,
      type: row.type,
      column: row.column_name,
      decisions: row.decisions,
      routed_at: toIso(row.routed_at),
    }));
  }

  /**
   * Stores a dead letter. Its id is `<stream>-<stream_seq>` of the original message when known, so
   * a dead letter consumed twice is stored once; otherwise a random id.
   */
  async recordDeadLetter(letter: DeadLetter): Promise<{ id: string; created: boolean }> {
    const id = letter.stream !== '' && letter.stream_seq > 0 ? `${letter.stream}-${letter.stream_seq}` : `dl_${randomUUID()}`;
    const rows = await queryRows(
      this.em.fork(),
      sql<{ id: string }>`insert into gateway.dead_letters
          (id, stage, subject, reason, issues, headers, payload, event_id, stream, stream_seq, deliveries, created_at)
        values (${id}, ${letter.stage}, ${letter.subject}, ${letter.reason}, ${JSON.stringify(letter.issues)}::jsonb,
          ${JSON.stringify(letter.headers)}::jsonb, ${letter.payload_base64}, ${letter.event_id ?? null}, ${letter.stream},
          ${letter.stream_seq}, ${letter.deliveries}, ${letter.at}::timestamptz)
        on conflict (id) do nothing
        returning id`,
    );
    return { id, created: rows.length > 0 };
  }

  /** Dead letters matching every given filter, newest first. */
  async listDeadLetters(filters: DeadLetterFilters, cursor?: string | null, limit?: number): Promise<Page<DeadLetterSummary>> {
    const after = decodeCursor(cursor);
    const size = pageSize(limit);
    const conditions: RawBuilder<unknown>[] = [];
    if (filters.stage !== undefined) conditions.push(sql`stage = ${filters.stage}`);
    if (filters.event_id !== undefined) conditions.push(sql`event_id = ${filters.event_id}`);
    if (filters.replayed === true) conditions.push(sql`replayed_at is not null`);
    if (filters.replayed === false) conditions.push(sql`replayed_at is null`);
    if (after !== null) conditions.push(sql`seq < ${after}::bigint`);
    const rows = await queryRows(
      this.em.fork(),
      sql<DeadLetterRow>`select seq::text as seq, id, stage, subject, reason, issues, event_id, created_at, replayed_at
        from gateway.dead_letters where ${where(conditions)} order by dead_letters.seq desc limit ${size + 1}`,
    );
    return page(rows, size, deadLetterSummary);
  }

  /** One dead letter with its payload; `null` when unknown. */
  async getDeadLetter(id: string): Promise<DeadLetterView | null> {
    const rows = await queryRows(
      this.em.fork(),
      sql<DeadLetterRow>`select seq::text as seq, id, stage, subject, reason, issues, event_id, created_at, replayed_at,
          headers, payload, stream, stream_seq, deliveries
        from gateway.dead_letters where id = ${id}`,
    );
    const row = rows[0];
    if (!row) return null;
    return {
      ...deadLetterSummary(row),
      headers: row.headers ?? {},
      payload_base64: row.payload ?? '',
      stream: row.stream ?? '',
      stream_seq: Number(row.stream_seq ?? 0),
      deliveries: row.deliveries ?? 0,
    };
  }

  /** Records that a dead letter was replayed (now); `false` when unknown. */
  async markReplayed(id: string): Promise<boolean> {
    const rows = await queryRows(this.em.fork(), sql`update gateway.dead_letters set replayed_at = now() where id = ${id} returning id`);
    return rows.length > 0;
  }
}
