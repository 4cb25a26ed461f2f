/**
 * The connection pool of a Herald process that owns data: PostgreSQL when a URL is given,
 * otherwise an embedded PGlite (PostgreSQL 18 in WebAssembly) under `<dataDir>/<directory>`.
 *
 * PGlite is wired per ENGINEERING.md: a `pg.Pool` over `createPgConfig(pglite)` with ONE
 * connection and a connection timeout (a second connection opened while a transaction is open
 * would wait forever, so it times out instead), and the caller's type parsers (the gateway passes
 * MikroORM's `createPostgreSqlTypeParsers`; without them `date` columns shift by the time zone).
 * Ending the pool closes PGlite, releasing the data directory: one process per directory.
 *
 * A PostgreSQL pool survives dropped connections (a server restart, `pg_terminate_backend`): `pg`
 * reports a connection the server closed as an `'error'` event — on the pool for an idle client,
 * on the client itself while it is checked out — and an `'error'` event without a listener kills
 * the process. Both are logged here; the broken client is already discarded, the next query opens
 * a new connection, and a query that was running rejects on its own (its message is retried).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as PgliteModule from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';
import type * as PgliteNodePostgres from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { jsonLogger, type Logger } from '@herald/contracts';
import { prepareMarkedStatements } from './prepared-statements.js';

/**
 * PGlite is loaded only by a process that uses it (no `DATABASE_URL`): a process on PostgreSQL
 * never pays for its module (issue 15, "load only what a plugin needs"). Synchronously, through
 * its CommonJS build, so `openSqlPool` stays synchronous.
 */
const requireLazily = createRequire(import.meta.url);
function loadPglite(): { PGlite: typeof PgliteModule.PGlite; createPgConfig: typeof PgliteNodePostgres.createPgConfig } {
  const { PGlite: Pglite } = requireLazily('@electric-sql/pglite') as typeof PgliteModule;
  const { createPgConfig } = requireLazily('@electric-sql/pglite/node-postgres') as typeof PgliteNodePostgres;
  return { PGlite: Pglite, createPgConfig };
}

export interface SqlPoolOptions {
  /** `postgresql://…`; when absent, the embedded PGlite database is used. @default none: PGlite */
  readonly databaseUrl?: string | undefined;
  /** Herald's data directory (`HERALD_DATA_DIR`). */
  readonly dataDir: string;
  /** Folder of `dataDir` PGlite keeps its files in, e.g. `pgdata` or `alert-pgdata`. */
  readonly directory: string;
  /** Connections in the PostgreSQL pool; PGlite always has one. @default 5 */
  readonly poolSize?: number;
  /** How long a query waits for a connection before failing, in ms. @default 10000 */
  readonly connectionTimeoutMillis?: number;
  /** Type parsers of every connection (e.g. MikroORM's, for exact `date` columns). @default pg's own */
  readonly types?: pg.CustomTypesConfig;
  /** Where lost connections are reported. @default a JSON logger on stdout */
  readonly logger?: Logger;
}

/** A `pg.Pool` that also closes the PGlite instance under it when the pool ends. */
class PGlitePool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    private readonly pglite: PGlite,
  ) {
    super(config);
  }

  override end(): Promise<void>;
  override end(callback: () => void): void;
  override end(callback?: () => void): Promise<void> | void {
    const done = super.end().then(async () => {
      if (!this.pglite.closed) await this.pglite.close();
    });
    if (callback) {
      void done.then(callback, callback);
      return;
    }
    return done;
  }
}

/**
 * A new data directory is initialised (PGlite's `initdb`) in a short-lived child process: initdb
 * grows PGlite's WebAssembly memory to ≈ 510 MB resident and WebAssembly memory is never returned,
 * so a process that ran it idled ≈ 300 MB larger for its whole life than one that opened an
 * initialised directory (≈ 210 MB). A directory holding `PG_VERSION` is initialised already.
 *
 * Liftoff only: V8's optimising tier would compile PostgreSQL's hottest WebAssembly functions
 * during initdb, one of them with a ≈ 600 MB loop analysis (cli/start.mjs); without it initdb
 * peaked at 683 instead of 1 100 MB and took 3.3 instead of 5.4 s of CPU on the sixth session's
 * machine (test/bench/README.md).
 */
function initdbArgs(directory: string): string[] {
  const entry = requireLazily.resolve('@electric-sql/pglite');
  const script =
    `const { PGlite } = require(${JSON.stringify(entry)});` +
    `(async () => { const db = new PGlite(${JSON.stringify(directory)}); await db.waitReady; await db.close(); })()` +
    // PGlite's file-system errors are plain objects ({ name: 'ErrnoError', errno })
    `.catch((error) => { console.error(error instanceof Error ? error.message : JSON.stringify(error)); process.exit(1); });`;
  return ['--liftoff-only', '-e', script];
}

function initdbFailed(directory: string, why: string): Error {
  return new Error(
    `Cannot initialise the embedded database in ${directory}: ${why}. Check that the directory is writable (HERALD_DATA_DIR).`,
  );
}

const INITDB_TIMEOUT_MS = 120_000;

/**
 * Synchronous, like the rest of `openSqlPool`: it blocks the event loop for the seconds initdb
 * takes, so a process with NATS requests in flight (their timers fire before their replies are
 * read once the loop resumes) calls `initialiseEmbeddedDatabase` first.
 */
function initialiseInChildProcess(directory: string): void {
  if (existsSync(join(directory, 'PG_VERSION'))) return;
  const result = spawnSync(process.execPath, initdbArgs(directory), { encoding: 'utf8', timeout: INITDB_TIMEOUT_MS });
  if (result.status !== 0)
    throw initdbFailed(directory, result.error?.message ?? (result.stderr.trim() || `exit ${result.status ?? result.signal}`));
}

/**
 * Initialises `<dataDir>/<directory>` for embedded PGlite, if new, without blocking the event loop
 * (initdb in a child process, as `openSqlPool` would do synchronously). The standalone gateway
 * called `openSqlPool` while its NATS requests were in flight: initdb blocked the loop for 5–6 s on
 * a slow machine and the requests timed out ("gateway failed to start: timeout"). Resolves at once
 * for an initialised directory.
 */
export async function initialiseEmbeddedDatabase(dataDir: string, directory: string): Promise<void> {
  const path = join(dataDir, directory);
  mkdirSync(path, { recursive: true });
  if (existsSync(join(path, 'PG_VERSION'))) return;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, initdbArgs(path), { stdio: ['ignore', 'ignore', 'pipe'], timeout: INITDB_TIMEOUT_MS });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => reject(initdbFailed(path, error.message)));
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(initdbFailed(path, stderr.trim() || `exit ${code ?? signal ?? 'unknown'}`)),
    );
  });
}

/** PGlite's `shared_buffers` (see `openSqlPool`). */
const PGLITE_SHARED_BUFFERS = '16MB';

/** PostgreSQL connections opened at start and kept open. */
const WARM_CONNECTIONS = 2;

/** Opens the pool; PGlite starts (creating `<dataDir>/<directory>` if needed) when no URL is given. */
export function openSqlPool(options: SqlPoolOptions): pg.Pool {
  const connectionTimeoutMillis = options.connectionTimeoutMillis ?? 10_000;
  const types = options.types === undefined ? {} : { types: options.types };
  if (options.databaseUrl !== undefined) {
    const max = options.poolSize ?? 5;
    const min = Math.min(WARM_CONNECTIONS, max);
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max, min, connectionTimeoutMillis, ...types });
    reportLostConnections(pool, options.logger ?? jsonLogger({ base: { component: 'sql-pool' } }));
    prepareMarkedStatements(pool);
    // No cold start (issue 15): open the connections the first messages need now, best effort (a
    // database that is down is the readiness check's business), and keep them (`min`) instead of
    // closing them after 10 s idle and reconnecting mid-burst.
    void Promise.allSettled(Array.from({ length: min }, () => pool.query('select 1')));
    return pool;
  }
  const directory = join(options.dataDir, options.directory);
  mkdirSync(directory, { recursive: true });
  initialiseInChildProcess(directory);
  const { PGlite: Pglite, createPgConfig } = loadPglite();
  // 16 MB of shared buffers instead of PostgreSQL's 128 MB: an embedded, single-connection
  // database does not need more, and the buffers are resident WebAssembly memory (≈ 140 MB less RSS)
  const pglite = new Pglite(directory, { startParams: [...Pglite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
  return new PGlitePool({ ...createPgConfig(pglite), max: 1, connectionTimeoutMillis, ...types }, pglite);
}

/**
 * Logs connections the server dropped instead of letting the `'error'` event kill the process (see
 * the header). Works on any `pg.Pool`, e.g. one MikroORM created.
 */
export function reportLostConnections(pool: pg.Pool, logger: Logger): void {
  pool.on('error', (error) => {
    logger.warn('idle database connection lost; the pool opens a new one when needed', { error: error.message });
  });
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      logger.warn('database connection lost while in use; the query fails and is retried', { error: error.message });
    });
  });
}
