/**
 * Test support: a scratch PostgreSQL database per test file (see `createScratchDatabase`),
 * migrated with the alert migrations, dropped by `drop()`.
 */
import { runSqlMigrations } from '@herald/plugin-storage';
import { createScratchDatabase } from '@herald/contracts/testing';
import pg from 'pg';
import { ALERT_MIGRATIONS, ALERT_SCHEMA } from '../migrations.js';

export interface AlertTestDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

export async function createAlertTestDatabase(options: { migrate?: boolean } = {}): Promise<AlertTestDatabase> {
  const scratch = await createScratchDatabase();
  const pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
  if (options.migrate !== false) await runSqlMigrations(pool, ALERT_SCHEMA, ALERT_MIGRATIONS);
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
