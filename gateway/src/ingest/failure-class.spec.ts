import { describe, expect, it } from '@jest/globals';
import { classifyFailure, failureReason } from './failure-class.js';

function named(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

function pgError(code: string): Error {
  return Object.assign(new Error(`pg ${code}`), { code });
}

describe('classifyFailure', () => {
  it.each<[string, unknown]>([
    ['RangeError (call stack exceeded)', new RangeError('Maximum call stack size exceeded')],
    ['TypeError', new TypeError('x is not a function')],
    ['SyntaxError', new SyntaxError('bad')],
    ['payload over max_payload', named('InvalidArgumentError', "'payload' max_payload size exceeded")],
    ['header NATS cannot carry', named('InvalidArgumentError', "'header' values cannot contain \\r or \\n")],
    ['message over the stream limit (10054)', named('JetStreamApiError', 'message size exceeds maximum allowed', { code: 10054 })],
    ['SQLSTATE 22021 (invalid byte sequence)', pgError('22021')],
    ['SQLSTATE 22P05 (untranslatable character)', pgError('22P05')],
    ['SQLSTATE 23505 (unique violation)', pgError('23505')],
    ['a permanent cause inside a wrapper', Object.assign(new Error('publish failed'), { cause: new RangeError('too deep') })],
  ])('%s is permanent', (_label, error) => {
    expect(classifyFailure(error)).toBe('permanent');
  });

  it.each<[string, unknown]>([
    ['connection loss', new Error('Connection terminated unexpectedly')],
    ['NATS timeout', named('TimeoutError', 'timeout')],
    ['no responders', named('NoResponders', 'no responders')],
    ['JetStream stream not found (10059)', named('JetStreamApiError', 'stream not found', { code: 10059 })],
    ['SQLSTATE 08006 (connection failure)', pgError('08006')],
    ['SQLSTATE 40001 (serialization failure)', pgError('40001')],
    ['SQLSTATE 57P01 (admin shutdown)', pgError('57P01')],
    ['SQLSTATE 53300 (too many connections)', pgError('53300')],
    ['a string', 'boom'],
    ['null', null],
    [
      'a cycle of causes',
      (() => {
        const e: Error & { cause?: unknown } = new Error('loop');
        e.cause = { cause: e };
        return e;
      })(),
    ],
  ])('%s is transient', (_label, error) => {
    expect(classifyFailure(error)).toBe('transient');
  });

  it('names the error in the reason', () => {
    expect(failureReason(new RangeError('Maximum call stack size exceeded'))).toBe('RangeError: Maximum call stack size exceeded');
    expect(failureReason('boom')).toBe('boom');
  });
});
