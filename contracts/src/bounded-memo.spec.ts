import { describe, expect, it } from '@jest/globals';
import { BoundedMemo } from './bounded-memo.js';

describe('BoundedMemo', () => {
  it('makes a value once per key and remembers it', () => {
    const memo = new BoundedMemo<string, string>(10);
    const made: string[] = [];
    const make = (key: string): string => {
      made.push(key);
      return key.toUpperCase();
    };
    expect(memo.get('a', make)).toBe('A');
    expect(memo.get('a', make)).toBe('A');
    expect(memo.get('b', make)).toBe('B');
    expect(made).toEqual(['a', 'b']);
  });

  it('never holds more than its bound, and still answers every key correctly past it', () => {
    const memo = new BoundedMemo<number, number>(3);
    for (let i = 0; i < 10; i++) expect(memo.get(i, (k) => k * 2)).toBe(i * 2);
    expect(memo.size).toBeLessThanOrEqual(3);
    expect(memo.get(0, (k) => k * 2)).toBe(0);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new BoundedMemo(0)).toThrow(/maxEntries must be a positive integer \(got 0\)/);
    expect(() => new BoundedMemo(1.5)).toThrow(RangeError);
  });
});
