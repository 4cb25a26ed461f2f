/**
 * The gateway's initial schema (SPEC §2.5, §3.1, §4, §7) in PostgreSQL schema `gateway`.
 * Hand-written, portable SQL: it must run unchanged on PostgreSQL 15 (CI) and PGlite (PostgreSQL 18).
 * Foreign keys cascade so that deleting a user, product or product type removes everything that
 * only made sense with it (settings, memberships, engagements, tokens); the logs (deliveries,
 * decisions, dead letters) keep plain ids because they record history.
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0001Initial extends Migration {
  override name = '0001-initial';

  override up(): void {
    this.addSql(`create schema if not exists gateway`);

    this.addSql(`create table gateway.users (
      id text primary key,
      username text not null,
      email text not null default '',
      full_name text not null default '',
      active boolean not null default true,
      superuser boolean not null default false,
      global_role text null,
      slack_email text null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint users_username_unique unique (username)
    )`);

    this.addSql(`create table gateway.product_types (
      id text primary key,
      name text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);

    this.addSql(`create table gateway.products (
      id text primary key,
      name text not null,
      product_type_id text not null references gateway.product_types (id) on delete cascade,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create index products_product_type_id_idx on gateway.products (product_type_id)`);

    this.addSql(`create table gateway.product_members (
      scope_id text not null references gateway.products (id) on delete cascade,
      user_id text not null references gateway.users (id) on delete cascade,
      role text null,
      primary key (scope_id, user_id)
    )`);
    this.addSql(`create index product_members_user_id_idx on gateway.product_members (user_id)`);

    this.addSql(`create table gateway.product_type_members (
      scope_id text not null references gateway.product_types (id) on delete cascade,
      user_id text not null references gateway.users (id) on delete cascade,
      role text null,
      primary key (scope_id, user_id)
    )`);
    this.addSql(`create index product_type_members_user_id_idx on gateway.product_type_members (user_id)`);

    this.addSql(`create table gateway.engagements (
      id text primary key,
      name text not null,
      product_id text not null references gateway.products (id) on delete cascade,
      lead text null,
      target_start date not null,
      target_end date not null,
      status text not null default 'not_started'
        constraint engagements_status_check check (status in ('not_started', 'in_progress', 'completed', 'cancelled')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create index engagements_product_id_idx on gateway.engagements (product_id)`);

    this.addSql(`create table gateway.event_types (
      name text primary key,
      label text not null,
      default_channels jsonb not null default '[]'::jsonb,
      product_scoped boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);

    this.addSql(`create table gateway.global_settings (
      scope text primary key constraint global_settings_scope_check check (scope in ('system', 'template')),
      events jsonb not null,
      updated_at timestamptz not null default now()
    )`);

    this.addSql(`create table gateway.personal_settings (
      user_id text primary key references gateway.users (id) on delete cascade,
      events jsonb not null,
      updated_at timestamptz not null default now()
    )`);

    this.addSql(`create table gateway.product_settings (
      user_id text not null references gateway.users (id) on delete cascade,
      product_id text not null references gateway.products (id) on delete cascade,
      events jsonb not null,
      updated_at timestamptz not null default now(),
      primary key (user_id, product_id)
    )`);
    this.addSql(`create index product_settings_product_id_idx on gateway.product_settings (product_id)`);

    this.addSql(`create table gateway.channel_config (
      channel text primary key,
      enabled boolean not null,
      settings jsonb not null default '{}'::jsonb,
      updated_at timestamptz not null default now()
    )`);

    this.addSql(`create table gateway.api_tokens (
      id text primary key,
      token_hash text not null,
      user_id text null references gateway.users (id) on delete cascade,
      created_at timestamptz not null default now(),
      last_used_at timestamptz null,
      constraint api_tokens_token_hash_unique unique (token_hash)
    )`);

    this.addSql(`create table gateway.processed_events (
      source text not null,
      event_id text not null,
      state text not null constraint processed_events_state_check check (state in ('processing', 'done')),
      attempts integer not null default 1,
      claimed_at timestamptz not null default now(),
      processed_at timestamptz null,
      primary key (source, event_id)
    )`);
    this.addSql(`create index processed_events_claimed_at_idx on gateway.processed_events (claimed_at)`);

    this.addSql(`create table gateway.event_decisions (
      event_id text primary key,
      type text not null,
      column_name text not null,
      decisions jsonb not null,
      routed_at timestamptz not null default now()
    )`);

    this.addSql(`create table gateway.deliveries (
      delivery_id text primary key,
      seq bigserial not null,
      event_id text not null,
      channel text not null,
      user_id text null,
      destination jsonb not null,
      outcome text not null
        constraint deliveries_outcome_check check (outcome in ('published', 'delivered', 'retrying', 'failed', 'dropped')),
      attempt integer not null default 0,
      detail text null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint deliveries_seq_unique unique (seq)
    )`);
    this.addSql(`create index deliveries_event_id_idx on gateway.deliveries (event_id)`);
    this.addSql(`create index deliveries_user_id_seq_idx on gateway.deliveries (user_id, seq)`);
    this.addSql(`create index deliveries_channel_seq_idx on gateway.deliveries (channel, seq)`);
    this.addSql(`create index deliveries_outcome_seq_idx on gateway.deliveries (outcome, seq)`);

    this.addSql(`create table gateway.dead_letters (
      id text primary key,
      seq bigserial not null,
      stage text not null constraint dead_letters_stage_check check (stage in ('ingest', 'route', 'deliver')),
      subject text not null,
      reason text not null,
      issues jsonb not null default '[]'::jsonb,
      headers jsonb not null default '{}'::jsonb,
      payload text not null,
      event_id text null,
      stream text not null default '',
      stream_seq bigint not null default 0,
      deliveries integer not null default 0,
      created_at timestamptz not null default now(),
      replayed_at timestamptz null,
      constraint dead_letters_seq_unique unique (seq)
    )`);
    this.addSql(`create index dead_letters_event_id_idx on gateway.dead_letters (event_id)`);
  }
}
