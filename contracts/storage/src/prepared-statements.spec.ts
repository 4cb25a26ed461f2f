/**
 * Marked statements run as named prepared statements on a real PostgreSQL pool opened the
 * production way (`openSqlPool`), unmarked ones as before; a prepared statement survives a
 * migration that adds a column, and a connection the server ended prepares again on the next one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createScratchDatabase, type ScratchDatabase } from '@herald/contracts/testing';
import { silentLogger } from '@herald/contracts';
import pg from 'pg';
import { openSqlPool } from './sql-pool.js';
import { preparedName } from './prepared-statements.js';

let scratch: ScratchDatabase;
let pool: pg.Pool;

const MARKED = `/* prepare:spec_lookup */ select id, label from spec.items where id = any($1::int[]) order by id`;

/** The prepared statements of the connection that runs this (the pool has one connection). */
async function prepared(): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>('select name from pg_prepared_statements order by name');
  return rows.map((r) => r.name);
}

beforeAll(async () => {
  scratch = await createScratchDatabase();
  pool = openSqlPool({ databaseUrl: scratch.url, dataDir: '.herald', directory: 'unused', poolSize: 1, logger: silentLogger });
  await pool.query('create schema spec');
  await pool.query(`create table spec.items (id int primary key, label text not null)`);
  await pool.query(`insert into spec.items values (1, 'one'), (2, 'two'), (3, 'three')`);
});

afterAll(async () => {
  await pool?.end();
  await scratch?.drop();
});

describe('preparedName', () => {
  it('names a marked text by its label and a hash of the whole text, and nothing else', () => {
    const name = preparedName(MARKED);
    expect(name).toMatch(/^herald_spec_lookup_[0-9a-f]{12}$/);
    expect(preparedName(MARKED)).toBe(name);
    expect(preparedName(`${MARKED} limit 1`)).not.toBe(name);
    expect(preparedName(`${MARKED} limit 1`)).toMatch(/^herald_spec_lookup_/);
    expect(preparedName('select 1')).toBeUndefined();
    expect(preparedName(' /* prepare:spec_lookup */ select 1')).toBeUndefined();
    expect(preparedName('/* prepare:Bad-Label */ select 1')).toBeUndefined();
  });
});

describe('prepareMarkedStatements (through openSqlPool)', () => {
  it('prepares a marked statement once per connection and binds new values each time', async () => {
    expect(await prepared()).toEqual([]);
    expect((await pool.query(MARKED, [[1, 3]])).rows).toEqual([
      { id: 1, label: 'one' },
      { id: 3, label: 'three' },
    ]);
    expect((await pool.query(MARKED, [[2]])).rows).toEqual([{ id: 2, label: 'two' }]);
    expect(await prepared()).toEqual([preparedName(MARKED)]);
    // unmarked statements stay unnamed
    await pool.query('select label from spec.items where id = $1', [1]);
    expect(await prepared()).toEqual([preparedName(MARKED)]);
  });

  it('keeps answering with the same columns after a migration adds one to the table', async () => {
    await pool.query(MARKED, [[1]]);
    await pool.query(`alter table spec.items add column note text`);
    expect((await pool.query(MARKED, [[1, 2]])).rows).toEqual([
      { id: 1, label: 'one' },
      { id: 2, label: 'two' },
    ]);
  });

  it('reports a marked statement that fails to prepare, and prepares it once the cause is gone', async () => {
    await pool.query('alter table spec.items rename to items_away');
    try {
      await expect(pool.query(`/* prepare:spec_missing */ select id from spec.items where id = $1`, [1])).rejects.toThrow(/spec.items/);
    } finally {
      await pool.query('alter table spec.items_away rename to items');
    }
    expect((await pool.query(`/* prepare:spec_missing */ select id from spec.items where id = $1`, [1])).rows).toEqual([{ id: 1 }]);
  });

  it('prepares again on a new connection after the server ended the old one', async () => {
    const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    } finally {
      await admin.end();
    }
    // the pool discards the ended connection (reported, not thrown) and opens a new one
    let answer: pg.QueryResult | undefined;
    for (let attempt = 0; attempt < 50 && answer === undefined; attempt++) {
      answer = await pool.query(MARKED, [[3]]).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return undefined;
      });
    }
    expect(answer?.rows).toEqual([{ id: 3, label: 'three' }]);
    expect(await prepared()).toEqual([preparedName(MARKED)]);
  });
});
