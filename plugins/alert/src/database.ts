/**
 * The alert plugin's connection pool when it runs as its own process: PostgreSQL when a URL is
 * given, otherwise an embedded PGlite under `<dataDir>/alert-pgdata` (one process per directory).
 * PGlite is reached through `pg.Pool` over `createPgConfig` with ONE connection and a connection
 * timeout: a second connection opened while a transaction is open would wait forever (ENGINEERING.md).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';

export interface AlertDatabaseOptions {
  /** `postgresql://…`; when absent, embedded PGlite is used. */
  readonly databaseUrl: string | undefined;
  /** Herald's data directory (`HERALD_DATA_DIR`); PGlite keeps its files in `<dataDir>/alert-pgdata`. */
  readonly dataDir: string;
  /** Connections in the PostgreSQL pool. @default 5 */
  readonly poolSize?: number;
  /** How long a query waits for a connection before failing, ms. @default 10000 */
  readonly connectionTimeoutMs?: number;
}

/** A `pg.Pool` that also closes the PGlite instance under it, releasing the data directory. */
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

export function openAlertDatabase(options: AlertDatabaseOptions): pg.Pool {
  const connectionTimeoutMillis = options.connectionTimeoutMs ?? 10_000;
  if (options.databaseUrl !== undefined) {
    return new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 5, connectionTimeoutMillis });
  }
  const directory = join(options.dataDir, 'alert-pgdata');
  mkdirSync(directory, { recursive: true });
  const pglite = new PGlite(directory);
  return new PGlitePool({ ...createPgConfig(pglite), max: 1, connectionTimeoutMillis }, pglite);
}
