/**
 * Opening and closing the gateway's database: connect, apply pending migrations, hand back the
 * ORM. Callers fork `orm.em` for every unit of work (the global EntityManager throws in v7).
 *
 * SPEC §8: a gateway started while PostgreSQL is down (or still starting) waits for it with capped
 * backoff, one log line per attempt; replicas started together on a new database run the
 * migrations one after the other, under a session-level advisory lock on a connection of its own
 * (held across `migrator.up()`, released when that session ends, also on a crash).
 */
import { isDatabaseUnavailable, silentLogger, waitForDependency } from '@herald/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createOrmOptions, GATEWAY_SCHEMA, type DatabaseOptions } from './orm-config.js';

/** Key of the advisory lock serialising the gateway's migrations (per schema). */
const MIGRATION_LOCK_KEY = `herald-migrations:${GATEWAY_SCHEMA}`;

/** Connects (PostgreSQL or embedded PGlite, see `createOrmOptions`) and runs `migrator.up()`. */
export async function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  return waitForDependency('PostgreSQL', () => openOnce(options), {
    logger: options.logger ?? silentLogger,
    isUnavailable: isDatabaseUnavailable,
  });
}

async function openOnce(options: DatabaseOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(createOrmOptions(options));
  try {
    await withMigrationLock(options, () => runMigrations(orm));
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}

/**
 * Runs `work` holding the migration lock. Only a PostgreSQL server needs it: the embedded PGlite
 * belongs to one process (and its one-connection pool could not open a second session).
 */
async function withMigrationLock<T>(options: DatabaseOptions, work: () => Promise<T>): Promise<T> {
  if (options.pool !== undefined || options.databaseUrl === undefined) return work();
  const client = new pg.Client({ connectionString: options.databaseUrl });
  // A dropped lock session must not kill the process; the migration then fails and is retried.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Applies pending migrations; returns the names applied now. Idempotent. */
export async function runMigrations(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((migration) => migration.name);
}

/** Closes the pool (and, for PGlite, the embedded database, releasing its data directory). */
export async function closeDatabase(orm: MikroORM): Promise<void> {
  await orm.close(true);
}
