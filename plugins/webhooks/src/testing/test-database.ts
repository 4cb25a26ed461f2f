/**
 * Test support: a scratch PostgreSQL database per test file (see `createScratchDatabase`) with a
 * pool on it, dropped by `drop()`.
 */
import { createScratchDatabase } from '@herald/contracts/testing';
import pg from 'pg';

export interface WebhooksTestDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** `max` defaults to 1: the plugin must work on one connection, as with embedded PGlite. */
export async function createWebhooksTestDatabase(options: { max?: number } = {}): Promise<WebhooksTestDatabase> {
  const scratch = await createScratchDatabase();
  const pool = new pg.Pool({ connectionString: scratch.url, max: options.max ?? 1, connectionTimeoutMillis: 10_000 });
  return {
    pool,
    url: scratch.url,
    async drop() {
      // A query still running when the test file ends is cut off by the forced drop; its error
      // concerns a database that is going away, not the test.
      pool.on('error', () => undefined);
      await pool.end();
      await scratch.drop();
    },
  };
}
