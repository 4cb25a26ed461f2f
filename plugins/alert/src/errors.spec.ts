/** Store errors: data and constraint errors are permanent, everything else is retried. */
import { describe, expect, it } from '@jest/globals';
import { classifyAlertError } from './errors.js';

const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('classifyAlertError', () => {
  it.each<[string, unknown, 'retry' | 'failed']>([
    ['check violation (23514)', pgError('23514', 'violates check constraint'), 'failed'],
    ['not-null violation (23502)', pgError('23502', 'null value'), 'failed'],
    ['value too long (22001)', pgError('22001', 'value too long'), 'failed'],
    ['serialization failure (40001)', pgError('40001', 'could not serialize'), 'retry'],
    ['deadlock (40P01)', pgError('40P01', 'deadlock detected'), 'retry'],
    ['connection failure (08006)', pgError('08006', 'connection failure'), 'retry'],
    ['admin shutdown (57P01)', pgError('57P01', 'terminating connection'), 'retry'],
    ['ECONNREFUSED', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'retry'],
    ['pool timeout', new Error('timeout exceeded when trying to connect'), 'retry'],
    ['a thrown string', 'boom', 'retry'],
  ])('%s → %s', (_label, error, kind) => {
    expect(classifyAlertError(error).kind).toBe(kind);
  });

  it('names the store and the SQLSTATE in the reason', () => {
    expect(classifyAlertError(pgError('23514', 'violates check constraint'))).toEqual({
      kind: 'failed',
      reason: 'alert store: violates check constraint (SQLSTATE 23514)',
    });
  });
});
