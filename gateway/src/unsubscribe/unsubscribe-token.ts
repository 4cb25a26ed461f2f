/**
 * One-click unsubscribe tokens (RFC 8058): `u1.<payload>.<mac>`, where `payload` is the base64url
 * JSON `[user id, column, channel]` and `mac` the first 16 bytes (base64url) of
 * HMAC-SHA-256(key, "u1." + payload). The key is derived from `HERALD_SECRET_KEY` by HKDF-SHA-256
 * with the info `herald/unsubscribe/u1`, so it is never the key that seals channel secrets.
 *
 * Invariant: a token names exactly one (user, column, channel) and cannot be altered without the
 * key. Tokens do not expire (a mail may be read months later); all of them are revoked at once by
 * changing the version prefix (a new `u2` key), and a token of a deleted user answers 404. The
 * worst a leaked token does is turn off one column of one channel, which the user turns on again.
 */
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { BoundedMemo, SecretBox } from '@herald/contracts';
import type { ValidationIssue } from '@herald/contracts';

const VERSION = 'u1';
const MAC_BYTES = 16;

/** What a token grants: turning off `channel` for `column` in `userId`'s personal settings. */
export interface UnsubscribeClaims {
  readonly userId: string;
  readonly column: string;
  readonly channel: string;
}

/** The shape of a token in a path: base64url parts joined by dots, at most 1024 characters. */
export const UNSUBSCRIBE_TOKEN_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
export const MAX_UNSUBSCRIBE_TOKEN_LENGTH = 1024;

/** Why a path parameter is not shaped like a token, or `undefined` when it is. */
export function unsubscribeTokenIssue(name: string, value: string): ValidationIssue | undefined {
  if (value.length <= MAX_UNSUBSCRIBE_TOKEN_LENGTH && UNSUBSCRIBE_TOKEN_PATTERN.test(value)) return undefined;
  return {
    path: name,
    message: 'is not an unsubscribe token',
    expected: `the whole link from the mail's List-Unsubscribe header or footer (three base64url parts joined by dots, at most ${MAX_UNSUBSCRIBE_TOKEN_LENGTH} characters)`,
  };
}

export type VerifiedToken =
  | { readonly ok: true; readonly claims: UnsubscribeClaims }
  /** `malformed`: not a token at all (400); `forged`: well-formed but not signed by this gateway's key (404). */
  | { readonly ok: false; readonly problem: 'malformed' | 'forged' };

export class UnsubscribeTokens {
  // A KeyObject, not the key's bytes: createHmac checks and wraps a Buffer key on every call
  // (≈ 11 µs against ≈ 3 µs on Node 24), and every mail delivery issues a token.
  private constructor(private readonly key: KeyObject) {}

  /** Derives the signing key from `HERALD_SECRET_KEY`; throws the same error as `SecretBox` for a bad key. */
  static fromSecretKey(secretKey: string | undefined): UnsubscribeTokens {
    SecretBox.fromBase64(secretKey);
    const raw = Buffer.from((secretKey ?? '').trim(), 'base64');
    return new UnsubscribeTokens(
      createSecretKey(Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), `herald/unsubscribe/${VERSION}`, 32))),
    );
  }

  /**
   * Tokens issued lately, by claims: a token is a pure function of its claims and the key, and
   * routing issues one per personal mail, mostly to the same users again (≈ 1 MB at most).
   */
  private readonly issued = new BoundedMemo<string, string>(4_096);

  issue(claims: UnsubscribeClaims): string {
    return this.issued.get(JSON.stringify([claims.userId, claims.column, claims.channel]), (json) => {
      const payload = Buffer.from(json, 'utf8').toString('base64url');
      return `${VERSION}.${payload}.${this.mac(payload).toString('base64url')}`;
    });
  }

  verify(token: string): VerifiedToken {
    const parts = token.split('.');
    if (parts.length !== 3 || !UNSUBSCRIBE_TOKEN_PATTERN.test(token)) return { ok: false, problem: 'malformed' };
    const [version, payload, mac] = parts as [string, string, string];
    if (version !== VERSION) return { ok: false, problem: 'forged' };
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'forged' };
    // one spelling per token: the mac's last character carries 4 unused bits, and a token whose
    // spelling differs there decodes to the same bytes
    if (given.toString('base64url') !== mac) return { ok: false, problem: 'forged' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, problem: 'malformed' };
    }
    if (!Array.isArray(decoded) || decoded.length !== 3 || !decoded.every((part) => typeof part === 'string' && part !== '')) {
      return { ok: false, problem: 'malformed' };
    }
    const [userId, column, channel] = decoded as [string, string, string];
    return { ok: true, claims: { userId, column, channel } };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`${VERSION}.${payload}`).digest().subarray(0, MAC_BYTES);
  }
}
