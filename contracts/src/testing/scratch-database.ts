/**
 * A fresh PostgreSQL database per test file (`herald_t_<hex>`), created and dropped through the
 * server's `postgres` maintenance database, so test files run in parallel against one server and
 * leave nothing behind. The caller opens its own pools on `url` and closes them before `drop()`.
 * `pg` is an optional peer dependency of `@herald/contracts`, loaded here only when a test asks for
 * a database: a plugin that owns no data never installs it.
 */
import { randomBytes } from 'node:crypto';
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
  const { default: pg } = await import('pg').catch((error: unknown) => {
    throw new Error(`createScratchDatabase needs the package "pg": npm install --save-dev pg (${(error as Error).message})`);
  });
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(statement);
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
    drop: () => maintenance(serverUrl, `drop database if exists ${name} with (force)`),
  };
}
