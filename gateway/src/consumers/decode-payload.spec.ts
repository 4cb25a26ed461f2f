import { describe, expect, it } from '@jest/globals';
import { decodeStorableJson } from './decode-payload.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

describe('decodeStorableJson', () => {
  it('turns U+0000 into U+FFFD in strings and keys, at any depth', () => {
    const text = JSON.stringify({ detail: 'a\u0000b', 'k\u0000': [{ 'x\u0000y': 'z\u0000' }], n: 1, ok: null });
    expect(decodeStorableJson(bytes(text))).toEqual({ detail: 'a\ufffdb', 'k\ufffd': [{ 'x\ufffdy': 'z\ufffd' }], n: 1, ok: null });
  });

  it('returns a record without U+0000 as it is, and undefined for what is not JSON', () => {
    expect(decodeStorableJson(bytes('{"statuses":[{"outcome":"delivered"}]}'))).toEqual({ statuses: [{ outcome: 'delivered' }] });
    expect(decodeStorableJson(bytes('{"truncated"'))).toBeUndefined();
  });
});
