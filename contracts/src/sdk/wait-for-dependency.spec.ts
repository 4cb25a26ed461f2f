import { describe, expect, it } from '@jest/globals';
import { recordingLogger } from '../testing/recording-logger.js';
import { dependencyRetryDelay, isDatabaseUnavailable, waitForDependency } from './wait-for-dependency.js';

describe('dependencyRetryDelay', () => {
  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [5, 8_000],
    [6, 10_000],
    [60, 10_000],
  ])('attempt %i waits %i ms (0.5 s doubling, capped at 10 s)', (attempt, delay) => {
    expect(dependencyRetryDelay(attempt)).toBe(delay);
  });
});

describe('isDatabaseUnavailable', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  it.each<[string, unknown, boolean]>([
    ['connection refused', refused, true],
    ['both addresses refused (AggregateError)', new AggregateError([refused], ''), true],
    ['server starting (57P03)', Object.assign(new Error('the database system is not yet accepting connections'), { code: '57P03' }), true],
    ['admin shutdown (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), true],
    ['connection exception class 08', Object.assign(new Error('x'), { code: '08006' }), true],
    ['too many connections', Object.assign(new Error('x'), { code: '53300' }), true],
    ['dropped mid-query', new Error('Connection terminated unexpectedly'), true],
    ['wrapped by an ORM', new Error('driver failed', { cause: refused }), true],
    ['wrong password (28P01)', Object.assign(new Error('password authentication failed'), { code: '28P01' }), false],
    ['unknown database (3D000)', Object.assign(new Error('database "x" does not exist'), { code: '3D000' }), false],
    ['SQL error in a migration', Object.assign(new Error('syntax error'), { code: '42601' }), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });
});

describe('waitForDependency', () => {
  it('retries while unavailable, one warning per failed attempt, then returns the value', async () => {
    const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
    let calls = 0;
    const value = await waitForDependency(
      'PostgreSQL',
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(new Error('Connection terminated unexpectedly')) : Promise.resolve('up');
      },
      { logger: recordingLogger(lines), isUnavailable: isDatabaseUnavailable, initialDelayMs: 10, maxDelayMs: 15 },
    );
    expect(value).toBe('up');
    expect(lines.map((l) => [l.level, l.message, l.fields['attempt'], l.fields['retry_in_ms']])).toEqual([
      ['warn', 'PostgreSQL unavailable; waiting before the next attempt', 1, 10],
      ['warn', 'PostgreSQL unavailable; waiting before the next attempt', 2, 15],
      ['info', 'PostgreSQL available; starting', undefined, undefined],
    ]);
  });

  it('throws at once an error no wait can fix', async () => {
    const wrongPassword = Object.assign(new Error('password authentication failed for user "herald"'), { code: '28P01' });
    let calls = 0;
    await expect(
      waitForDependency(
        'PostgreSQL',
        () => {
          calls += 1;
          return Promise.reject(wrongPassword);
        },
        { logger: recordingLogger([]), isUnavailable: isDatabaseUnavailable, initialDelayMs: 10 },
      ),
    ).rejects.toBe(wrongPassword);
    expect(calls).toBe(1);
  });
});
