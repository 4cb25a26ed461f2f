import { describe, expect, it } from '@jest/globals';
import { getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { releaseStartupGarbage } from './startup-garbage.js';

describe('releaseStartupGarbage', () => {
  it('gives the heap that garbage grew back to the system, and leaves --expose-gc off', () => {
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
    // `--expose-gc` is off again: a context created now has no `gc`
    expect(runInNewContext('typeof gc')).toBe('undefined');
    expect(garbage).toBeUndefined();
  });

  it('uses the global gc when the process runs with --expose-gc', () => {
    const calls: unknown[] = [];
    const previous = Object.getOwnPropertyDescriptor(globalThis, 'gc');
    Object.defineProperty(globalThis, 'gc', { value: (options: unknown) => calls.push(options), configurable: true, writable: true });
    try {
      releaseStartupGarbage();
    } finally {
      if (previous === undefined) Reflect.deleteProperty(globalThis, 'gc');
      else Object.defineProperty(globalThis, 'gc', previous);
    }
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
  });
});
