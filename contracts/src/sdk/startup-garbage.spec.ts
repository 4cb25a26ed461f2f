import { describe, expect, it } from '@jest/globals';
import { getHeapStatistics } from 'node:v8';
import { releaseStartupGarbage } from './startup-garbage.js';

describe('releaseStartupGarbage', () => {
  it('gives the heap that garbage grew back to the system, and exposes no gc function', () => {
    const before = getHeapStatistics().total_heap_size;
    // ≈ 100 MB of objects that survive long enough to be promoted, then dropped
    let garbage: Array<{ n: number; text: string }> | undefined = [];
    for (let i = 0; i < 1_000_000; i++) garbage.push({ n: i, text: `item ${i}` });
    const grown = getHeapStatistics().total_heap_size;
    expect(grown - before).toBeGreaterThan(40 * 1024 * 1024);
    garbage = undefined;

    const ms = releaseStartupGarbage();

    const after = getHeapStatistics().total_heap_size;
    expect(grown - after).toBeGreaterThan(40 * 1024 * 1024);
    expect(ms).toBeGreaterThan(0);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(garbage).toBeUndefined();
  });

  it('uses the global gc when the process runs with --expose-gc', () => {
    const calls: unknown[] = [];
    const global = globalThis as { gc?: (options: unknown) => void };
    global.gc = (options) => calls.push(options);
    try {
      releaseStartupGarbage();
    } finally {
      delete global.gc;
    }
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
  });
});
