import { describe, expect, it } from '@jest/globals';
import { Members } from './membership.js';

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Members', () => {
  it('holds each index once, ascending, whatever order they come in', () => {
    const members = Members.of([9, 3, 3, 0, 12, 9]);
    expect(members.toArray()).toEqual([0, 3, 9, 12]);
    expect(members.size).toBe(4);
    expect([0, 3, 9, 12].map((index) => members.has(index))).toEqual([true, true, true, true]);
    expect([-1, 1, 4, 10, 13, 2 ** 30].map((index) => members.has(index))).toEqual([false, false, false, false, false, false]);
  });

  it('sorts numerically, not as text', () => {
    expect(Members.of([100, 20, 3]).toArray()).toEqual([3, 20, 100]);
  });

  it('is one shared, frozen empty list when there is nobody', () => {
    expect(Members.of([])).toBe(Members.NONE);
    expect(Members.NONE.size).toBe(0);
    expect(Members.NONE.has(0)).toBe(false);
    expect(Object.isFrozen(Members.of([1]))).toBe(true);
  });

  it('answers ascending, repeated, descending and far-jumping lookups through one cursor', () => {
    const members = Members.of([2, 4, 6, 8, 1000, 1002]);
    const cursor = members.cursor();
    const lookups = [0, 2, 2, 3, 4, 8, 9, 1002, 1003, 4, 1, 1000, 6, 7, 5000, 2];
    expect(lookups.map((index) => cursor.has(index))).toEqual(lookups.map((index) => [2, 4, 6, 8, 1000, 1002].includes(index)));
  });

  it.each([1, 2, 3, 4, 5])('agrees with a Set for random members and lookups in any order (seed %i)', (seed) => {
    const next = random(seed);
    const universe = 1 + Math.floor(next() * 5_000);
    const density = next();
    const expected = new Set<number>();
    for (let index = 0; index < universe; index++) if (next() < density) expected.add(index);
    const members = Members.of([...expected].reverse());
    const cursor = members.cursor();
    // runs of ascending lookups (as a broadcast makes them), broken by jumps back
    let at = 0;
    for (let lookup = 0; lookup < 3 * universe; lookup++) {
      at = next() < 0.05 ? Math.floor(next() * universe) : at + Math.floor(next() * 4);
      const index = at - 2;
      expect([index, cursor.has(index)]).toEqual([index, expected.has(index)]);
    }
    expect(members.toArray()).toEqual([...expected].sort((a, b) => a - b));
  });
});
