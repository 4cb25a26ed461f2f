/** Cursors round-trip exactly; anything not issued by `encodeCursor` is refused. */
import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('cursor', () => {
  it('round-trips a position with millisecond precision', () => {
    const position = { createdAt: new Date('2026-11-23T10:00:00.123Z'), id: 'a-1' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each<[string, string]>([
    ['not base64url', 'abc$'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['missing id', Buffer.from(JSON.stringify({ t: '2026-11-23T10:00:00.000Z' })).toString('base64url')],
    ['bad time', Buffer.from(JSON.stringify({ t: 'yesterday', i: 'x' })).toString('base64url')],
    ['non-canonical time', Buffer.from(JSON.stringify({ t: '2026-11-23', i: 'x' })).toString('base64url')],
    ['a JSON array', Buffer.from('[1,2]').toString('base64url')],
  ])('refuses %s', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});
