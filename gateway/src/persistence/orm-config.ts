/**
 * MikroORM options for the gateway's database: PostgreSQL when a URL is given, otherwise an
 * embedded PGlite (PostgreSQL 18 in WebAssembly) under `<dataDir>/pgdata` (SPEC §10). Both run the
 * same migrations in schema `gateway`; schema sync is never used.
 *
 * PGlite is wired per ENGINEERING.md: a `pg.Pool` over `createPgConfig(pglite)` handed to Kysely's
 * `PostgresDialect` (never as plain `driverOptions`, whose deep merge breaks PGlite), one connection
 * (a second one opened while a transaction is open would wait forever, so it times out instead),
 * and MikroORM's PostgreSQL type parsers (without them `date` columns shift by the timezone).
 */
import { type Logger } from '@herald/contracts';
import { initialiseEmbeddedDatabase, openSqlPool, prepareMarkedStatements, reportLostConnections } from '@herald/plugin-storage';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver, createPostgreSqlTypeParsers, type Options } from '@mikro-orm/postgresql';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import postgresArray from 'postgres-array';
import { GATEWAY_ENTITIES } from './entities.js';
import { GATEWAY_MIGRATIONS } from './migrations/index.js';

/** PostgreSQL connections kept open (and opened by the warm-up before readiness). */
export const POOL_MIN_CONNECTIONS = 4;

/** PostgreSQL schema holding every gateway table and the migrations table. */
export const GATEWAY_SCHEMA = 'gateway';

export interface DatabaseOptions {
  /** `postgresql://…`; when absent, the embedded PGlite database is used. */
  readonly databaseUrl?: string | undefined;
  /** Herald's data directory (`HERALD_DATA_DIR`); PGlite keeps its files in `<dataDir>/pgdata`. @default '.herald' */
  readonly dataDir: string;
  /** How long a query waits for PGlite's single connection before failing, in ms. @default 10000 */
  readonly pgliteConnectionTimeoutMs?: number;
  /** Connections in the PostgreSQL pool. @default 10 */
  readonly poolSize?: number;
  /** Receives every SQL statement executed (diagnostics, tests counting queries). @default none: queries are not logged */
  readonly queryLogger?: (message: string) => void;
  /**
   * An already-open pool to run on instead of `databaseUrl` / a private PGlite: the all-in-one
   * process shares one embedded PGlite pool between the gateway and the plugins that own data
   * (one process per data directory).
   */
  readonly pool?: pg.Pool;
  /** Where connections the server dropped are reported (PostgreSQL only). @default not logged */
  readonly logger?: Logger;
}

/** The folder of `HERALD_DATA_DIR` the gateway's embedded PGlite keeps its files in. */
const GATEWAY_PGLITE_DIRECTORY = 'pgdata';

/**
 * Initialises the gateway's embedded PGlite directory if it is new, off the event loop: call it
 * before the process has work in flight that `createPglitePool`'s synchronous initdb would stall.
 */
export function initialiseGatewayDatabase(dataDir: string): Promise<void> {
  return initialiseEmbeddedDatabase(dataDir, GATEWAY_PGLITE_DIRECTORY);
}

/**
 * The embedded database: PGlite under `<dataDir>/pgdata`, behind the SDK's one-connection pool
 * (`openSqlPool`), with MikroORM's type parsers (without them `date` columns shift by the time
 * zone). Ending the pool closes PGlite.
 */
export function createPglitePool(dataDir: string, connectionTimeoutMillis = 10_000): pg.Pool {
  const types = new pg.TypeOverrides();
  for (const [oid, parser] of Object.entries(createPostgreSqlTypeParsers((value) => postgresArray.parse(value)))) {
    types.setTypeParser(Number(oid), parser);
  }
  return openSqlPool({ dataDir, directory: GATEWAY_PGLITE_DIRECTORY, connectionTimeoutMillis, types });
}

function pgliteDialect(dataDir: string, connectionTimeoutMillis: number): PostgresDialect {
  return new PostgresDialect({ pool: createPglitePool(dataDir, connectionTimeoutMillis) });
}

/** MikroORM options for `MikroORM.init()` or `MikroOrmModule.forRootAsync({ useFactory })`. */
export function createOrmOptions(options: DatabaseOptions): Options {
  const common: Options = {
    driver: PostgreSqlDriver,
    entities: [...GATEWAY_ENTITIES],
    schema: GATEWAY_SCHEMA,
    extensions: [Migrator],
    migrations: {
      migrationsList: GATEWAY_MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    ...(options.queryLogger ? { debug: ['query' as const], colors: false, logger: options.queryLogger } : { debug: false }),
    ensureDatabase: false,
  };
  if (options.pool) {
    const pool = options.pool;
    return { ...common, dbName: 'postgres', driverOptions: () => new PostgresDialect({ pool }) };
  }
  if (options.databaseUrl) {
    const logger = options.logger;
    // min: the connections the warm-up opens stay open (no reconnect mid-burst after an idle spell)
    return {
      ...common,
      clientUrl: options.databaseUrl,
      pool: { min: POOL_MIN_CONNECTIONS, max: Math.max(POOL_MIN_CONNECTIONS, options.poolSize ?? 10) },
      driverOptions: {
        onPoolCreated: (pool: pg.Pool) => {
          // MikroORM already keeps a dropped connection from killing the process, but reports it
          // only in debug mode: log it like every other Herald process does.
          if (logger) reportLostConnections(pool, logger);
          // the hot statements (routing records, status reports) are prepared once per connection
          prepareMarkedStatements(pool);
        },
      },
    };
  }
  // A function, so PGlite starts when the ORM connects, not when options are built.
  const dialect = (): PostgresDialect => pgliteDialect(options.dataDir, options.pgliteConnectionTimeoutMs ?? 10_000);
  return { ...common, dbName: 'postgres', driverOptions: dialect };
}
