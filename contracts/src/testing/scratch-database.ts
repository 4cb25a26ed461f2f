/**
 * A fresh PostgreSQL database per test file (`herald_t_<hex>`), created and dropped through the
 * server's `postgres` maintenance database, so test files run in parallel against one server and
 * leave nothing behind. The caller opens its own pools on `url` and closes them before `drop()`.
 * `pg` is an optional peer dependency of `@herald/contracts`, loaded here only when a test asks for
 * a database: a plugin that owns no data never installs it.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { resolveDatabaseUrl } from './infrastructure.js';

export interface ScratchDatabase {
  /** `postgresql://…/herald_t_<hex>` */
  readonly url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function maintenance(serverUrl: string, statement: string): Promise<void> {
  await onMaintenanceConnection(serverUrl, async (client) => {
    await client.query(statement);
  });
}

/** How long `drop()` lets the database's sessions finish closing before it ends them. */
const SESSIONS_CLOSE_MS = 5_000;

/**
 * Drops `name`. A pool's `end()` resolves once its clients have sent their Terminate, not once the
 * server has closed their sessions; forcing the drop at that moment terminates those sessions
 * (57P01), and a client still reading its socket then emits `'error'`, which lands in whichever
 * test file the Jest worker runs next. So the drop first waits (up to 5 s) for the database's
 * sessions to go, and only then ends what is left: connections a test really leaked.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onMaintenanceConnection(serverUrl, async (client) => {
    const deadline = Date.now() + SESSIONS_CLOSE_MS;
    for (;;) {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      const open = rows[0]!.n;
      if (open === 0) break;
      if (Date.now() >= deadline) {
        // a leak in the test that owned the database: say so, then end them
        process.stderr.write(
          `scratch database ${name}: ${open} session(s) still open ${SESSIONS_CLOSE_MS} ms after its pools were closed; ending them\n`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await client.query(`drop database if exists ${name} with (force)`);
  });
}

async function onMaintenanceConnection(serverUrl: string, work: (client: Client) => Promise<void>): Promise<void> {
  const { default: pg } = await import('pg').catch((error: unknown) => {
    throw new Error(`createScratchDatabase needs the package "pg": npm install --save-dev pg (${(error as Error).message})`);
  });
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const serverUrl = await resolveDatabaseUrl();
  const name = `herald_t_${randomBytes(6).toString('hex')}`;
  await maintenance(serverUrl, `create database ${name}`);
  return {
    url: withDatabase(serverUrl, name),
    drop: () => dropDatabase(serverUrl, name),
  };
}
