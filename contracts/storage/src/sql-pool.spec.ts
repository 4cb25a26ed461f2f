/**
 * The embedded PGlite pool: a new data directory is initialised by a child process (its initdb
 * memory leaves with it), an initialised one is opened as it is, and a directory initdb cannot use
 * fails with a message naming it; `initialiseEmbeddedDatabase` does the first without blocking the event loop.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@herald/contracts';
import { initialiseEmbeddedDatabase, openSqlPool } from './sql-pool.js';

const dataDir = mkdtempSync(join(tmpdir(), 'herald-sql-pool-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('openSqlPool on PGlite', () => {
  it('initialises a new directory, and opens it again with its data', async () => {
    const first = openSqlPool({ dataDir, directory: 'fresh', logger: silentLogger });
    // initdb ran (in its own process) before the pool was handed back
    expect(existsSync(join(dataDir, 'fresh', 'PG_VERSION'))).toBe(true);
    await first.query('create table kept (v text)');
    await first.query(`insert into kept values ('one')`);
    await first.end();

    const again = openSqlPool({ dataDir, directory: 'fresh', logger: silentLogger });
    try {
      expect((await again.query('select v from kept')).rows).toEqual([{ v: 'one' }]);
    } finally {
      await again.end();
    }
  }, 120_000);

  it('names the directory when initdb cannot use it', () => {
    const broken = join(dataDir, 'broken');
    mkdirSync(join(broken, 'base'), { recursive: true });
    writeFileSync(join(broken, 'global'), 'not a directory');
    expect(() => openSqlPool({ dataDir, directory: 'broken', logger: silentLogger })).toThrow(
      new RegExp(
        `Cannot initialise the embedded database in ${broken}: .*ErrnoError.*Check that the directory is writable \\(HERALD_DATA_DIR\\)`,
      ),
    );
  }, 120_000);
});

describe('initialiseEmbeddedDatabase', () => {
  it('runs initdb without blocking the event loop, and openSqlPool then opens the directory as it is', async () => {
    // a timer due every 50 ms: how late it fires is how long the event loop was blocked
    let latest = performance.now();
    let worstLateness = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      worstLateness = Math.max(worstLateness, now - latest - 50);
      latest = now;
    }, 50);
    const started = performance.now();
    try {
      await initialiseEmbeddedDatabase(dataDir, 'async');
    } finally {
      clearInterval(ticker);
    }
    const took = performance.now() - started;
    expect(existsSync(join(dataDir, 'async', 'PG_VERSION'))).toBe(true);
    // initdb takes seconds (in its child process); the loop went on meanwhile (the synchronous
    // path blocked it for all of them)
    expect(took).toBeGreaterThan(1_000);
    expect(worstLateness).toBeLessThan(took / 4);

    const pool = openSqlPool({ dataDir, directory: 'async', logger: silentLogger });
    try {
      expect((await pool.query<{ v: number }>('select 1 as v')).rows).toEqual([{ v: 1 }]);
    } finally {
      await pool.end();
    }
    // an initialised directory: nothing to do
    const again = performance.now();
    await initialiseEmbeddedDatabase(dataDir, 'async');
    expect(performance.now() - again).toBeLessThan(500);
  }, 120_000);

  it('names the directory when initdb cannot use it', async () => {
    const broken = join(dataDir, 'broken-async');
    mkdirSync(join(broken, 'base'), { recursive: true });
    writeFileSync(join(broken, 'global'), 'not a directory');
    await expect(initialiseEmbeddedDatabase(dataDir, 'broken-async')).rejects.toThrow(
      new RegExp(
        `Cannot initialise the embedded database in ${broken}: .*ErrnoError.*Check that the directory is writable \\(HERALD_DATA_DIR\\)`,
      ),
    );
  }, 120_000);
});
