/**
 * Test support: a scratch PostgreSQL database per test file (see `createScratchDatabase`) with the
 * plugin's production pool on it (`openWebhooksDatabase`, so a dropped connection is handled
 * exactly as in production), dropped by `drop()`.
 */
import { silentLogger } from '@herald/contracts';
import { createScratchDatabase } from '@herald/contracts/testing';
import type pg from 'pg';
import { openWebhooksDatabase } from '../database.js';

export interface WebhooksTestDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** `max` defaults to 1: the plugin must work on one connection, as with embedded PGlite. */
export async function createWebhooksTestDatabase(options: { max?: number } = {}): Promise<WebhooksTestDatabase> {
  const scratch = await createScratchDatabase();
  // `dataDir` is unused with a database URL
  const pool = openWebhooksDatabase({ databaseUrl: scratch.url, dataDir: '.', poolSize: options.max ?? 1, logger: silentLogger });
  return {
    pool,
    url: scratch.url,
    async drop() {
      await pool.end();
      await scratch.drop();
    },
  };
}
