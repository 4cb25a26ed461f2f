/**
 * Quiet hours and digests (SPEC §3.6). Personal rows and the template (which new users' rows are
 * seeded from) get `quiet_hours` (`{ timezone, windows, bypass }` or null) and `digests`
 * (column → channel → schedule). Deliveries that do not go at once are held durably in
 * `held_deliveries` until released; `digests` has one row per (user, channel, column, window end),
 * and its unique constraint is what makes "exactly one digest per window" hold across replicas,
 * takeovers and crashes.
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0008QuietHoursDigests extends Migration {
  override name = '0008-quiet-hours-digests';

  override up(): void {
    for (const table of ['global_settings', 'personal_settings']) {
      this.addSql(`alter table gateway.${table} add column quiet_hours jsonb null`);
      this.addSql(`alter table gateway.${table} add column digests jsonb not null default '{}'::jsonb`);
      this.addSql(`alter table gateway.${table} add constraint ${table}_digests_object check (jsonb_typeof(digests) = 'object')`);
      this.addSql(
        `alter table gateway.${table} add constraint ${table}_quiet_hours_object check (quiet_hours is null or jsonb_typeof(quiet_hours) = 'object')`,
      );
    }
    this.addSql(`create table gateway.held_deliveries (
      delivery_id text primary key,
      kind text not null check (kind in ('quiet_hours', 'digest')),
      channel text not null,
      user_id text not null references gateway.users (id) on delete cascade,
      column_name text not null,
      schedule text null,
      window_start timestamptz null,
      release_at timestamptz not null,
      source text not null,
      event_id text not null,
      message jsonb not null,
      digest_id text null,
      created_at timestamptz not null default now(),
      sent_at timestamptz null,
      check ((kind = 'digest') = (schedule is not null and window_start is not null))
    )`);
    // the delivery log shows a held delivery as `held` until it is released (then `published`)
    this.addSql(`alter table gateway.deliveries drop constraint deliveries_outcome_check`);
    this.addSql(`alter table gateway.deliveries add constraint deliveries_outcome_check
      check (outcome in ('held', 'published', 'delivered', 'retrying', 'failed', 'dropped'))`);
    this.addSql(`create index held_deliveries_due on gateway.held_deliveries (release_at) where sent_at is null`);
    this.addSql(`create table gateway.digests (
      digest_id text primary key,
      user_id text not null references gateway.users (id) on delete cascade,
      channel text not null,
      column_name text not null,
      schedule text not null,
      window_start timestamptz not null,
      window_end timestamptz not null,
      created_at timestamptz not null default now(),
      sent_at timestamptz null,
      constraint digests_one_per_window unique (user_id, channel, column_name, window_end)
    )`);
  }
}
