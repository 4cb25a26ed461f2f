/**
 * The webhooks plugin's connection pool when it runs as its own process: PostgreSQL when a URL is
 * given, otherwise an embedded PGlite under `<dataDir>/webhooks-pgdata` (one process per
 * directory), wired as ENGINEERING.md requires by the SDK's `openSqlPool` (PostgreSQL pool size 5
 * by default).
 */
import { openSqlPool, type SqlPoolOptions } from '@herald/plugin-storage';
import type pg from 'pg';

export function openWebhooksDatabase(options: Omit<SqlPoolOptions, 'directory'>): pg.Pool {
  return openSqlPool({ ...options, directory: 'webhooks-pgdata' });
}
