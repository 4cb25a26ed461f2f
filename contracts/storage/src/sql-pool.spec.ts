/**
 * The embedded PGlite pool: a new data directory is initialised by a child process (its initdb
 * memory leaves with it), an initialised one is opened as it is, and a directory initdb cannot use
 * fails with a message naming it.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@herald/contracts';
import { openSqlPool } from './sql-pool.js';

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
