import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter } from './retry-after.js';

const now = Date.parse('Sun, 01 Mar 2026 10:00:00 GMT');

describe('parseRetryAfter', () => {
  it.each<[string | null | undefined, number | undefined]>([
    ['120', 120_000],
    [' 3 ', 3_000],
    ['0', 0],
    ['Sun, 01 Mar 2026 10:00:30 GMT', 30_000],
    ['Sun, 01 Mar 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('takes now as a Date too', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:01:00 GMT', new Date(now))).toBe(60_000);
  });
});
