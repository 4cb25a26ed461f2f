/**
 * Scheduler state (SPEC §6): reminders already sent (so restarts and leader changes never repeat
 * one) and scheduled events (released once when due, cancellable, surviving restarts).
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0002Scheduler extends Migration {
  override name = '0002-scheduler';

  override up(): void {
    this.addSql(`create table gateway.sent_reminders (
      kind text not null,
      engagement_id text not null,
      event_id text not null,
      sent_at timestamptz not null default now(),
      primary key (kind, engagement_id)
    )`);
    this.addSql(`create table gateway.scheduled_events (
      id text primary key,
      idempotency_key text not null,
      event jsonb not null,
      deliver_at timestamptz not null,
      created_at timestamptz not null default now(),
      cancelled_at timestamptz null,
      released_at timestamptz null,
      constraint scheduled_events_key_unique unique (idempotency_key)
    )`);
    this.addSql(
      `create index scheduled_events_due on gateway.scheduled_events (deliver_at) where released_at is null and cancelled_at is null`,
    );
  }
}
