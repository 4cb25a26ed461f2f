/**
 * Scheduled events (SPEC §6): stored until due, released once, cancellable. Idempotent on the
 * idempotency key (the HTTP API's, or `<source>:<id>` percent-encoded as in delivery ids for
 * events published with `deliver_at`).
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { HeraldError, type HeraldEvent } from '@herald/contracts';
import { queryRows, sql, toIso, toIsoOrNull } from '../persistence/sql.js';

export interface ScheduleView {
  readonly id: string;
  readonly idempotency_key: string;
  readonly event: HeraldEvent;
  readonly deliver_at: string;
  readonly created_at: string;
  readonly cancelled_at: string | null;
  readonly released_at: string | null;
  readonly state: 'pending' | 'released' | 'cancelled';
}

interface Row {
  id: string;
  idempotency_key: string;
  event: HeraldEvent;
  deliver_at: unknown;
  created_at: unknown;
  cancelled_at: unknown;
  released_at: unknown;
}

function view(row: Row): ScheduleView {
  const released = toIsoOrNull(row.released_at);
  const cancelled = toIsoOrNull(row.cancelled_at);
  return {
    id: row.id,
    idempotency_key: row.idempotency_key,
    event: row.event,
    deliver_at: toIso(row.deliver_at),
    created_at: toIso(row.created_at),
    cancelled_at: cancelled,
    released_at: released,
    state: cancelled !== null ? 'cancelled' : released !== null ? 'released' : 'pending',
  };
}

@Injectable()
export class ScheduledEventsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Stores a schedule; an existing idempotency key returns the stored one (`created: false`). */
  async schedule(event: HeraldEvent, deliverAt: Date, idempotencyKey: string): Promise<{ schedule: ScheduleView; created: boolean }> {
    const em = this.em.fork();
    const inserted = await queryRows(
      em,
      sql<Row>`insert into gateway.scheduled_events (id, idempotency_key, event, deliver_at)
        values (${`sch_${randomUUID()}`}, ${idempotencyKey}, ${JSON.stringify(event)}::jsonb, ${deliverAt.toISOString()}::timestamptz)
        on conflict (idempotency_key) do nothing
        returning *`,
    );
    if (inserted[0]) return { schedule: view(inserted[0]), created: true };
    const existing = await queryRows(em, sql<Row>`select * from gateway.scheduled_events where idempotency_key = ${idempotencyKey}`);
    if (!existing[0]) throw new HeraldError('validation_failed', `schedule ${idempotencyKey} vanished while being created; retry`);
    return { schedule: view(existing[0]), created: false };
  }

  async get(id: string): Promise<ScheduleView | null> {
    const rows = await queryRows(this.em.fork(), sql<Row>`select * from gateway.scheduled_events where id = ${id}`);
    return rows[0] ? view(rows[0]) : null;
  }

  /** Pending schedules first by due time, then the rest newest first; at most `limit`. */
  async list(limit = 100): Promise<ScheduleView[]> {
    const rows = await queryRows(
      this.em.fork(),
      sql<Row>`select * from gateway.scheduled_events
        order by (released_at is null and cancelled_at is null) desc, deliver_at asc limit ${limit}`,
    );
    return rows.map(view);
  }

  /** Cancels a pending schedule: 'cancelled', 'not_found', or 'released' (too late). */
  async cancel(id: string): Promise<'cancelled' | 'not_found' | 'released'> {
    const em = this.em.fork();
    const rows = await queryRows(
      em,
      sql<{ id: string }>`update gateway.scheduled_events set cancelled_at = coalesce(cancelled_at, now())
        where id = ${id} and released_at is null returning id`,
    );
    if (rows.length > 0) return 'cancelled';
    return (await this.get(id)) === null ? 'not_found' : 'released';
  }

  /** Due, pending schedules (oldest first). */
  async due(now: Date, limit = 100): Promise<ScheduleView[]> {
    const rows = await queryRows(
      this.em.fork(),
      sql<Row>`select * from gateway.scheduled_events
        where released_at is null and cancelled_at is null and deliver_at <= ${now.toISOString()}::timestamptz
        order by deliver_at asc limit ${limit}`,
    );
    return rows.map(view);
  }

  async markReleased(id: string): Promise<void> {
    await queryRows(this.em.fork(), sql`update gateway.scheduled_events set released_at = now() where id = ${id} and released_at is null`);
  }
}
