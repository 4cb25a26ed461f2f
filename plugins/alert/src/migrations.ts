/**
 * The alert plugin's own PostgreSQL schema (SPEC §1: a plugin that owns data owns its schema and
 * migrations), applied with the SDK's `runSqlMigrations`. Portable SQL: PostgreSQL 15 and PGlite.
 * Migrations are append-only: never edit one that has shipped, add the next.
 */
import type { SqlMigration } from '@herald/plugin-storage';

/** Schema holding the alerts table and its migrations table. */
export const ALERT_SCHEMA = 'alerts';

export const ALERT_MIGRATIONS: readonly SqlMigration[] = [
  {
    name: '0001-alerts',
    sql: `
      create table alerts.alerts (
        id text primary key,
        user_id text not null,
        title text not null check (char_length(title) <= 250),
        description text not null check (char_length(description) <= 2000),
        url text,
        icon text not null check (char_length(icon) <= 50),
        source text not null check (char_length(source) <= 100),
        created_at timestamptz not null,
        read_at timestamptz,
        delivery_id text not null unique
      );
      create index alerts_user_newest on alerts.alerts (user_id, created_at desc, id desc);
      create index alerts_user_unread on alerts.alerts (user_id) where read_at is null;
    `,
  },
];
