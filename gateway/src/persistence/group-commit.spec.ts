import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

function sqlError(code: string): Error {
  return Object.assign(new Error(`SQLSTATE ${code}`), { code });
}

/** A write that records its batches, holds the first until released, and fails on `bad`. */
function recordingWrite(failure: Error) {
  const batches: string[][] = [];
  let release!: () => void;
  const firstHeld = new Promise<void>((resolve) => (release = resolve));
  const write = async (items: readonly string[]): Promise<string[]> => {
    batches.push([...items]);
    if (batches.length === 1) await firstHeld;
    if (items.includes('bad')) throw failure;
    return items.map((item) => `stored ${item}`);
  };
  return { batches, write, release: () => release() };
}

describe('GroupCommit', () => {
  it('a row that can never be stored fails only its own caller: the failed batch is written again item by item', async () => {
    const { batches, write, release } = recordingWrite(sqlError('22021'));
    const commit = new GroupCommit(write);
    const first = commit.submit('a');
    const rest = ['b', 'bad', 'c'].map((item) => commit.submit(item).then(String, (error: Error) => `failed: ${error.message}`));
    release();
    expect(await first).toBe('stored a');
    expect(await Promise.all(rest)).toEqual(['stored b', 'failed: SQLSTATE 22021', 'stored c']);
    expect(batches).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('a lost connection fails the whole batch at once (no write per item against a database that is away)', async () => {
    const { batches, write, release } = recordingWrite(sqlError('08006'));
    const commit = new GroupCommit(write);
    const first = commit.submit('a');
    const rest = ['b', 'bad', 'c'].map((item) => commit.submit(item).then(String, (error: Error) => `failed: ${error.message}`));
    release();
    expect(await first).toBe('stored a');
    expect(await Promise.all(rest)).toEqual(['failed: SQLSTATE 08006', 'failed: SQLSTATE 08006', 'failed: SQLSTATE 08006']);
    expect(batches).toEqual([['a'], ['b', 'bad', 'c']]);
  });

  it('submitAll queues its items together: an idle commit writes them in one batch, in order, and a busy one adds them to the next', async () => {
    const { batches, write, release } = recordingWrite(sqlError('08006'));
    const commit = new GroupCommit(write);
    const first = commit.submitAll(['a', 'b', 'c']);
    const second = commit.submitAll(['d', 'e']);
    const third = commit.submit('f');
    release();
    expect(await first).toEqual(['stored a', 'stored b', 'stored c']);
    expect(await second).toEqual(['stored d', 'stored e']);
    expect(await third).toBe('stored f');
    expect(await commit.submitAll([])).toEqual([]);
    expect(batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
    ]);
  });

  it('lingerMs: a write started by an idle commit waits that long for company; a batch queued behind a write does not wait', async () => {
    const batches: string[][] = [];
    const write = (items: readonly string[]): Promise<string[]> => {
      batches.push([...items]);
      return Promise.resolve(items.map((item) => `stored ${item}`));
    };
    const commit = new GroupCommit(write, { lingerMs: 300 });
    const first = commit.submit('a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([]); // still lingering
    const second = commit.submit('b');
    expect(await Promise.all([first, second])).toEqual(['stored a', 'stored b']);
    expect(batches).toEqual([['a', 'b']]);

    // A batch fills while a write is in flight: written right after it, without a linger of its own.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = new GroupCommit(
      async (items: readonly string[]) => {
        batches.push([...items]);
        if (items.includes('c')) await held;
        return items.map((item) => `stored ${item}`);
      },
      { lingerMs: 300 },
    );
    batches.length = 0;
    const c = slow.submit('c');
    await new Promise((resolve) => setTimeout(resolve, 400)); // the linger is over: 'c' is being written
    expect(batches).toEqual([['c']]);
    const d = slow.submit('d');
    const startedAt = performance.now();
    release();
    expect(await Promise.all([c, d])).toEqual(['stored c', 'stored d']);
    expect(performance.now() - startedAt).toBeLessThan(250);
    expect(batches).toEqual([['c'], ['d']]);
  });
});
