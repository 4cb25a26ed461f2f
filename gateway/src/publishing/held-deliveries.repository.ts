/**
 * Deliveries that do not go at once (SPEC §3.6): deferred by quiet hours or collected into a
 * digest. Stored before the event is acknowledged (insert is idempotent on `delivery_id`, so a
 * redelivered event holds nothing twice) and released by the scheduler's `held-deliveries` job.
 *
 * Exactly one digest per (user, channel, column, window): the job first claims the window by
 * inserting its `digests` row (unique on those four), then ties the window's items to it, both in
 * one transaction. Whoever publishes afterwards — the same replica, a new leader after a
 * `kill -9`, or two replicas racing during a lease takeover — publishes the same items under the
 * same `Nats-Msg-Id` (the digest id), which JetStream de-duplicates. An item that arrives after its
 * window's digest was sent is released on its own, never dropped.
 */
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelMessage, HeraldEvent } from '@herald/contracts';
import { queryRows, sql, toIso } from '../persistence/sql.js';
import type { PlannedDelivery } from '../routing/index.js';

/** A held delivery that is due on its own (quiet hours, or a digest item that came too late). */
export interface DueDelivery {
  readonly delivery_id: string;
  readonly channel: string;
  readonly message: ChannelMessage;
}

/** A claimed digest window, with its items in the order they were held. */
export interface DueDigest {
  readonly digest_id: string;
  readonly user_id: string;
  readonly channel: string;
  readonly column: string;
  readonly schedule: string;
  readonly window_start: string;
  readonly window_end: string;
  readonly items: readonly ChannelMessage[];
}

interface HeldRow {
  delivery_id: string;
  kind: string;
  channel: string;
  user_id: string;
  column_name: string;
  schedule: string | null;
  window_start: string | null;
  release_at: string;
  source: string;
  event_id: string;
  message: ChannelMessage;
}

@Injectable()
export class HeldDeliveriesRepository {
  constructor(private readonly em: EntityManager) {}

  /** Stores the held deliveries of one event; already stored ones are left as they are. */
  async hold(event: HeraldEvent, eventLabel: string, deliveries: readonly PlannedDelivery[]): Promise<number> {
    const rows: HeldRow[] = [];
    for (const { hold, ...delivery } of deliveries) {
      if (hold === undefined || delivery.destination.scope !== 'personal') continue;
      rows.push({
        delivery_id: delivery.delivery_id,
        kind: hold.kind,
        channel: delivery.channel,
        user_id: delivery.destination.user.id,
        column_name: hold.column,
        schedule: hold.schedule ?? null,
        window_start: hold.window_start ?? null,
        release_at: hold.release_at,
        source: event.source,
        event_id: event.id,
        message: { ...delivery, event_label: eventLabel, event },
      });
    }
    if (rows.length === 0) return 0;
    const inserted = await queryRows(
      this.em.fork(),
      sql<{ delivery_id: string }>`insert into gateway.held_deliveries
          (delivery_id, kind, channel, user_id, column_name, schedule, window_start, release_at, source, event_id, message)
        select r.delivery_id, r.kind, r.channel, r.user_id, r.column_name, r.schedule, r.window_start, r.release_at,
          r.source, r.event_id, r.message
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(delivery_id text, kind text, channel text, user_id text,
          column_name text, schedule text, window_start timestamptz, release_at timestamptz, source text, event_id text, message jsonb)
        where exists (select 1 from gateway.users u where u.id = r.user_id)
        on conflict (delivery_id) do nothing
        returning delivery_id`,
    );
    return inserted.length;
  }

  /**
   * Held deliveries due on their own at `now`: quiet-hours ones past their window's end, and
   * digest items whose window's digest has already been sent (they came after it was claimed).
   */
  async dueSingles(now: Date, limit = 500): Promise<DueDelivery[]> {
    return queryRows(
      this.em.fork(),
      sql<DueDelivery>`select h.delivery_id, h.channel, h.message from gateway.held_deliveries h
        where h.sent_at is null and h.release_at <= ${now.toISOString()}::timestamptz
          and (h.kind = 'quiet_hours' or (h.digest_id is null and exists (select 1 from gateway.digests d
            where d.user_id = h.user_id and d.channel = h.channel and d.column_name = h.column_name
              and d.window_end = h.release_at and d.sent_at is not null)))
        order by h.release_at, h.delivery_id limit ${limit}`,
    );
  }

  /** Marks released deliveries sent, and `published` in the delivery log, in one transaction. */
  async markSent(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    const ids = JSON.stringify(deliveryIds);
    await this.em.fork().transactional(async (tx) => {
      await queryRows(
        tx,
        sql`update gateway.held_deliveries set sent_at = now()
          where delivery_id in (select jsonb_array_elements_text(${ids}::jsonb)) and sent_at is null`,
      );
      await queryRows(
        tx,
        sql`update gateway.deliveries set outcome = 'published', updated_at = now()
          where delivery_id in (select jsonb_array_elements_text(${ids}::jsonb)) and outcome = 'held'`,
      );
    });
  }

  /**
   * Claims every digest window due at `now` that has unclaimed items — one `digests` row per
   * window, the unique constraint settling races — and ties those items to the windows this call
   * claimed, in one statement. An item held after its window was claimed is not added to it (the
   * digest may already be published under its id): it goes on its own once the digest is sent.
   */
  async claimDigests(now: Date): Promise<number> {
    const at = now.toISOString();
    const rows = await queryRows(
      this.em.fork(),
      sql<{ digest_id: string }>`with claimed as (
          insert into gateway.digests (digest_id, user_id, channel, column_name, schedule, window_start, window_end)
          select distinct on (h.user_id, h.channel, h.column_name, h.release_at)
            'digest:' || h.user_id || ':' || h.channel || ':' || h.column_name || ':'
              || to_char(h.release_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            h.user_id, h.channel, h.column_name, h.schedule, h.window_start, h.release_at
          from gateway.held_deliveries h
          where h.kind = 'digest' and h.sent_at is null and h.digest_id is null and h.release_at <= ${at}::timestamptz
          order by h.user_id, h.channel, h.column_name, h.release_at, h.window_start
          on conflict (user_id, channel, column_name, window_end) do nothing
          returning digest_id, user_id, channel, column_name, window_end)
        update gateway.held_deliveries h set digest_id = c.digest_id from claimed c
        where h.kind = 'digest' and h.sent_at is null and h.digest_id is null and h.release_at <= ${at}::timestamptz
          and c.user_id = h.user_id and c.channel = h.channel and c.column_name = h.column_name and c.window_end = h.release_at
        returning c.digest_id`,
    );
    return new Set(rows.map((row) => row.digest_id)).size;
  }

  /** Claimed digests not yet marked sent, with their items. A window without items is never claimed, so never sent. */
  async pendingDigests(limit = 200): Promise<DueDigest[]> {
    const rows = await queryRows(
      this.em.fork(),
      sql<{
        digest_id: string;
        user_id: string;
        channel: string;
        column_name: string;
        schedule: string;
        window_start: unknown;
        window_end: unknown;
        items: ChannelMessage[];
      }>`select d.digest_id, d.user_id, d.channel, d.column_name, d.schedule, d.window_start, d.window_end,
          (select jsonb_agg(h.message order by h.created_at, h.delivery_id) from gateway.held_deliveries h
            where h.digest_id = d.digest_id) as items
        from gateway.digests d where d.sent_at is null
          and exists (select 1 from gateway.held_deliveries h where h.digest_id = d.digest_id)
        order by d.window_end, d.digest_id limit ${limit}`,
    );
    return rows.map((row) => ({
      digest_id: row.digest_id,
      user_id: row.user_id,
      channel: row.channel,
      column: row.column_name,
      schedule: row.schedule,
      window_start: toIso(row.window_start),
      window_end: toIso(row.window_end),
      items: row.items,
    }));
  }

  /** Marks a digest and its items sent (the items `published` in the delivery log), in one transaction. */
  async markDigestSent(digestId: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      await queryRows(tx, sql`update gateway.digests set sent_at = now() where digest_id = ${digestId} and sent_at is null`);
      await queryRows(tx, sql`update gateway.held_deliveries set sent_at = now() where digest_id = ${digestId} and sent_at is null`);
      await queryRows(
        tx,
        sql`update gateway.deliveries set outcome = 'published', updated_at = now()
          where delivery_id in (select delivery_id from gateway.held_deliveries where digest_id = ${digestId}) and outcome = 'held'`,
      );
    });
  }

  /**
   * Removes what was sent more than `olderThanMs` ago by the database's clock (`sent_at` is set by
   * it): released deliveries, and sent digest windows no unsent item refers to. Returns the number
   * of rows removed.
   */
  async purgeSent(olderThanMs: number): Promise<number> {
    const seconds = olderThanMs / 1000;
    return this.em.fork().transactional(async (tx) => {
      const items = await queryRows(
        tx,
        sql<{ delivery_id: string }>`delete from gateway.held_deliveries
          where sent_at < now() - make_interval(secs => ${seconds}) returning delivery_id`,
      );
      const windows = await queryRows(
        tx,
        sql<{ digest_id: string }>`delete from gateway.digests d where d.sent_at < now() - make_interval(secs => ${seconds})
          and not exists (select 1 from gateway.held_deliveries h where h.sent_at is null and h.user_id = d.user_id
            and h.channel = d.channel and h.column_name = d.column_name and h.release_at = d.window_end)
          returning digest_id`,
      );
      return items.length + windows.length;
    });
  }

  /** Held deliveries of one event, for the API and tests: what waits, and until when. */
  async forEvent(
    source: string,
    eventId: string,
  ): Promise<Array<{ delivery_id: string; kind: string; channel: string; release_at: string; sent_at: string | null }>> {
    const rows = await queryRows(
      this.em.fork(),
      sql<{ delivery_id: string; kind: string; channel: string; release_at: unknown; sent_at: unknown }>`select delivery_id, kind,
          channel, release_at, sent_at from gateway.held_deliveries where source = ${source} and event_id = ${eventId}
        order by delivery_id`,
    );
    return rows.map((row) => ({
      delivery_id: row.delivery_id,
      kind: row.kind,
      channel: row.channel,
      release_at: toIso(row.release_at),
      sent_at: row.sent_at === null ? null : toIso(row.sent_at),
    }));
  }
}
