import { describe, expect, it } from '@jest/globals';
import { afterFailure, reactivationDue, type StatusState } from './status.js';

const t0 = new Date('2026-11-23T10:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);
const HOUR = 3_600_000;
const fresh: StatusState = { status: 'active', first_error: null, last_error: null, note: null };

describe('afterFailure (DefectDojo status machine)', () => {
  it('a first temporary failure → inactive_tmp, first_error = last_error = now', () => {
    expect(afterFailure(fresh, 'temporary', 'Response status code: 500', t0)).toEqual({
      status: 'inactive_tmp',
      first_error: t0,
      last_error: t0,
      note: 'Response status code: 500',
    });
  });

  it('a permanent failure → inactive_permanent', () => {
    expect(afterFailure(fresh, 'permanent', 'Response status code: 400', t0)).toEqual({
      status: 'inactive_permanent',
      first_error: t0,
      last_error: t0,
      note: 'Response status code: 400',
    });
  });

  it('a temporary failure within 24 h of the first error keeps first_error', () => {
    const state: StatusState = { status: 'active_tmp', first_error: t0, last_error: at(HOUR), note: 'x' };
    expect(afterFailure(state, 'temporary', 'Response status code: 503', at(23 * HOUR))).toEqual({
      status: 'inactive_tmp',
      first_error: t0,
      last_error: at(23 * HOUR),
      note: 'Response status code: 503',
    });
  });

  it('a temporary failure more than 24 h after the first error → inactive_permanent', () => {
    const state: StatusState = { status: 'active_tmp', first_error: t0, last_error: at(HOUR), note: 'x' };
    expect(afterFailure(state, 'temporary', 'Response status code: 500', at(24 * HOUR + 1)).status).toBe('inactive_permanent');
  });

  it('never lifts inactive_permanent', () => {
    const state: StatusState = { status: 'inactive_permanent', first_error: t0, last_error: t0, note: 'x' };
    expect(afterFailure(state, 'temporary', 'Response status code: 500', at(1_000)).status).toBe('inactive_permanent');
  });
});

describe('reactivationDue', () => {
  const tmp: StatusState = { status: 'inactive_tmp', first_error: t0, last_error: t0, note: null };
  it('is due 60 s after the last error, not before', () => {
    expect(reactivationDue(tmp, at(59_999))).toBe(false);
    expect(reactivationDue(tmp, at(60_000))).toBe(true);
  });
  it('only concerns inactive_tmp', () => {
    expect(reactivationDue({ ...tmp, status: 'inactive_permanent' }, at(HOUR))).toBe(false);
  });
});
