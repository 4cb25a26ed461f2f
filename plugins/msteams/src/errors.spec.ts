import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter } from '@herald/contracts';
import { classifyTeamsError, classifyTeamsResponse } from './errors.js';

describe('classifyTeamsResponse', () => {
  it.each([
    [200, undefined, '1', { kind: 'delivered', detail: 'Teams answered HTTP 200' }],
    [202, undefined, '', { kind: 'delivered', detail: 'Teams answered HTTP 202' }],
    [429, '3', 'slow down', { kind: 'retry', reason: 'Teams answered HTTP 429: slow down', afterMs: 3_000 }],
    [502, undefined, '', { kind: 'retry', reason: 'Teams answered HTTP 502' }],
    [503, '10', '', { kind: 'retry', reason: 'Teams answered HTTP 503', afterMs: 10_000 }],
    [408, undefined, '', { kind: 'retry', reason: 'Teams answered HTTP 408' }],
    [301, undefined, '', { kind: 'failed', reason: 'Teams answered HTTP 301 (redirects are not followed; configure the final URL)' }],
    [400, undefined, 'bad card', { kind: 'failed', reason: 'Teams answered HTTP 400: bad card' }],
    [404, undefined, '', { kind: 'failed', reason: 'Teams answered HTTP 404' }],
    [410, undefined, '', { kind: 'failed', reason: 'Teams answered HTTP 410' }],
  ])('HTTP %i (Retry-After %p)', (status, retryAfter, body, outcome) => {
    expect(classifyTeamsResponse(status, retryAfter, body)).toEqual(outcome);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('retries thrown network errors', () => {
    expect(classifyTeamsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual({
      kind: 'retry',
      reason: 'Teams request failed: ECONNREFUSED: connect ECONNREFUSED',
    });
  });
});
