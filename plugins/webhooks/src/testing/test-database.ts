/**
 * Test support: a fresh PostgreSQL database per test file (`herald_t_<hex>`), created through the
 * server's `postgres` maintenance database, dropped by `drop()`. Files therefore run in parallel
 * against one server and leave nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { resolveDatabaseUrl } from '@herald/contracts/testing';
import pg from 'pg';

export interface WebhooksTestDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `max` defaults to 1: the plugin must work on one connection, as with embedded PGlite. */
export async function createWebhooksTestDatabase(options: { max?: number } = {}): Promise<WebhooksTestDatabase> {
  const serverUrl = await resolveDatabaseUrl();
  const name = `herald_t_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `create database ${name}`);
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 1, connectionTimeoutMillis: 10_000 });
  return {
    pool,
    url,
    async drop() {
      // A query still running when the test file ends is cut off by the forced drop; its error
      // concerns a database that is going away, not the test.
      pool.on('error', () => undefined);
      await pool.end();
      await admin(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
