/**
 * Test support: a fresh PostgreSQL database per test file (`herald_t_<hex>`), migrated, dropped in
 * `afterAll`, so files run in parallel against one server and leave nothing behind. The server is
 * `resolveDatabaseUrl()` (DATABASE_URL, else the local cluster); databases are created through its
 * `postgres` maintenance database.
 */
import { createScratchDatabase } from '@herald/contracts/testing';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { closeDatabase, openDatabase } from '../database.js';

export interface TestDatabase {
  readonly orm: MikroORM;
  /** The root EntityManager (fork it, as production code does). */
  readonly em: EntityManager;
  readonly url: string;
  /** Runs SQL on a separate connection, bypassing the ORM (to inspect raw columns). */
  query<Row extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
  /** Closes the ORM and drops the database. */
  drop(): Promise<void>;
}

/** `queryLogger` receives every statement the ORM runs (see `DatabaseOptions`). */
export async function createTestDatabase(options: { queryLogger?: (message: string) => void } = {}): Promise<TestDatabase> {
  const scratch = await createScratchDatabase();
  const url = scratch.url;
  const orm = await openDatabase({ databaseUrl: url, dataDir: '.herald', poolSize: 4, ...options });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    orm,
    em: orm.em,
    url,
    async query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
      return (await pool.query<Row>(text, values)).rows;
    },
    async drop() {
      await pool.end();
      await closeDatabase(orm);
      await scratch.drop();
    },
  };
}
