import { describe, expect, it } from '@jest/globals';
import { retryDelay } from './backoff.js';

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe('retryDelay', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1_000],
    [3, 1, 4_000],
    [10, 1, 60_000],
    [10, 0, 30_000],
  ])('attempt %i with random %d → %i ms', (attempt, random, expected) => {
    expect(retryDelay(attempt, policy, undefined, () => random)).toBe(expected);
  });

  it('honours a longer Retry-After', () => {
    expect(retryDelay(1, policy, 7_000, () => 0)).toBe(7_000);
  });

  it('keeps its own delay when Retry-After is shorter', () => {
    expect(retryDelay(3, policy, 10, () => 1)).toBe(4_000);
  });

  it('caps Retry-After at 4 × maxMs by default, and at maxRetryAfterMs when set', () => {
    expect(retryDelay(1, policy, 10 * 60 * 60_000, () => 0)).toBe(240_000);
    expect(retryDelay(1, { ...policy, maxRetryAfterMs: 3_600_000 }, 10 * 60 * 60_000, () => 0)).toBe(3_600_000);
    // The harness policy (max 200 ms) would turn "Retry-After: 3" into 800 ms; a test can lift the cap.
    expect(retryDelay(1, { baseMs: 50, maxMs: 200 }, 3_000, () => 0)).toBe(800);
    expect(retryDelay(1, { baseMs: 50, maxMs: 200, maxRetryAfterMs: 5_000 }, 3_000, () => 0)).toBe(3_000);
  });
});
