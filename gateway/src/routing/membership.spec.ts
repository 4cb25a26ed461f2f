import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Members } from './membership.js';
import { assertProperty } from './routing.fixture.js';

describe('Members', () => {
  it('holds each index once, ascending, whatever order they come in', () => {
    const members = Members.of([9, 3, 3, 0, 12, 9]);
    expect(members.toArray()).toEqual([0, 3, 9, 12]);
    const cursor = members.cursor();
    expect([-1, 0, 1, 3, 4, 9, 10, 12, 13, 2 ** 30].map((index) => cursor.has(index))).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
  });

  it('sorts numerically, not as text', () => {
    expect(Members.of([100, 20, 3]).toArray()).toEqual([3, 20, 100]);
  });

  it('is one shared, frozen empty list when there is nobody', () => {
    expect(Members.of([])).toBe(Members.NONE);
    expect(Members.NONE.toArray()).toEqual([]);
    expect(Members.NONE.cursor().has(0)).toBe(false);
    expect(Object.isFrozen(Members.of([1]))).toBe(true);
  });

  it('answers ascending, repeated, descending and far-jumping lookups through one cursor', () => {
    const members = Members.of([2, 4, 6, 8, 1000, 1002]);
    const cursor = members.cursor();
    const lookups = [0, 2, 2, 3, 4, 8, 9, 1002, 1003, 4, 1, 1000, 6, 7, 5000, 2];
    expect(lookups.map((index) => cursor.has(index))).toEqual(lookups.map((index) => [2, 4, 6, 8, 1000, 1002].includes(index)));
  });

  it('agrees with a Set for any members and any lookups through one cursor (HERALD_PROPERTY_SEED replays a run)', () => {
    // Members from a small range (dense or sparse); lookups as a broadcast makes them: runs of small
    // steps up, broken by jumps anywhere.
    const lookup = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 3 }).map((step) => ({ step })), weight: 19 },
      { arbitrary: fc.integer({ min: -2, max: 102 }).map((to) => ({ to })), weight: 1 },
    );
    assertProperty(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 150, size: 'max' }),
        fc.array(lookup, { maxLength: 300, size: 'max' }),
        (indexes, moves) => {
          const expected = new Set(indexes);
          const members = Members.of(indexes);
          expect(members.toArray()).toEqual([...expected].sort((a, b) => a - b));
          const cursor = members.cursor();
          let at = -2;
          for (const move of moves) {
            at = 'to' in move ? move.to : at + move.step;
            if (cursor.has(at) !== expected.has(at)) throw new Error(`lookup of ${at}: expected ${expected.has(at)}`);
          }
        },
      ),
      100,
    );
  });
});
