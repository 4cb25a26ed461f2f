/**
 * Migrations for plugins that own data (SPEC §1: "a plugin that owns data owns its own PostgreSQL
 * schema and migrations"). Plain SQL, applied in order, each in a transaction, recorded in
 * `<schema>.schema_migrations`. Works on any `pg`-compatible pool (PostgreSQL or embedded PGlite,
 * e.g. from `openSqlPool`); typed structurally so a plugin may bring its own driver.
 *
 * Replicas started at the same moment on a new database take turns (SPEC §8: "migrations are
 * serialised"): the whole run holds a session-level advisory lock keyed by the schema name, so the
 * second replica waits, then finds every migration applied. Without it both create the same
 * tables at once and one fails (`duplicate key value violates unique constraint
 * "pg_type_typname_nsp_index"`). The lock goes with the session if the process dies.
 */

/** What the runner needs from a pool: `pg.Pool` and PGlite's pg-compatible pool both fit. */
export interface SqlPool {
  connect(): Promise<SqlClient>;
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /** `true` ends the connection instead of returning it to the pool. */
  release(destroy?: boolean): void;
}

export interface SqlMigration {
  /** Unique, ordered name, e.g. `0001-initial`. */
  readonly name: string;
  /** Statements run in one transaction. */
  readonly sql: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates the schema if needed and applies pending migrations; returns the names applied now. */
export async function runSqlMigrations(pool: SqlPool, schema: string, migrations: readonly SqlMigration[]): Promise<string[]> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}": use lowercase letters, digits and "_"`);
  const client = await pool.connect();
  const applied: string[] = [];
  const lockKey = `herald-migrations:${schema}`;
  try {
    await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
  } catch (error) {
    client.release();
    throw error;
  }
  try {
    await client.query(`create schema if not exists ${schema}`);
    await client.query(
      `create table if not exists ${schema}.schema_migrations (name text primary key, applied_at timestamptz not null default now())`,
    );
    const done = new Set(
      ((await client.query(`select name from ${schema}.schema_migrations`)).rows as Array<{ name: string }>).map((r) => r.name),
    );
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query(`insert into ${schema}.schema_migrations (name) values ($1)`, [migration.name]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${schema}/${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).then(
      () => client.release(),
      // A session that cannot unlock is broken: end it (`release(true)`), which drops the lock.
      () => client.release(true),
    );
  }
  return applied;
}
