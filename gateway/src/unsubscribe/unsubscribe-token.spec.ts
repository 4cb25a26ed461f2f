import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '@herald/contracts';
import { UnsubscribeTokens, unsubscribeTokenIssue } from './unsubscribe-token.js';

const key = SecretBox.generateKey();
const tokens = UnsubscribeTokens.fromSecretKey(key);
const claims = { userId: 'user:7@dojo', column: 'scan_added', channel: 'mail' };

describe('UnsubscribeTokens', () => {
  it('round-trips the claims, deterministically, in a path-safe token', () => {
    const token = tokens.issue(claims);
    expect(tokens.issue(claims)).toBe(token);
    expect(token).toMatch(/^u1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(unsubscribeTokenIssue('token', token)).toBeUndefined();
    expect(tokens.verify(token)).toEqual({ ok: true, claims });
    expect(UnsubscribeTokens.fromSecretKey(key).verify(token)).toEqual({ ok: true, claims });
  });

  it('gives each user, column and channel its own token', () => {
    const all = [claims, { ...claims, userId: 'user:8' }, { ...claims, column: 'engagement_added' }, { ...claims, channel: 'slack' }];
    expect(new Set(all.map((c) => tokens.issue(c))).size).toBe(4);
  });

  it('issues the same token from memory as from the key, past the bound of its memory', () => {
    const issuer = UnsubscribeTokens.fromSecretKey(key);
    const many = Array.from({ length: 9_000 }, (_, i) => ({ userId: `u${i}`, column: 'scan_added', channel: 'mail' }));
    const first = many.map((c) => issuer.issue(c));
    const again = many.map((c) => issuer.issue(c));
    expect(again).toEqual(first);
    // a fresh issuer (nothing remembered) computes every one the same
    const fresh = UnsubscribeTokens.fromSecretKey(key);
    expect(many.map((c) => fresh.issue(c))).toEqual(first);
    expect(new Set(first).size).toBe(many.length);
    for (const [i, token] of first.entries()) expect(issuer.verify(token)).toEqual({ ok: true, claims: many[i] });
  });

  const token = tokens.issue(claims);
  const [version, payload, mac] = token.split('.') as [string, string, string];
  const otherPayload = Buffer.from(JSON.stringify(['user:8', 'scan_added', 'mail'])).toString('base64url');
  // the mac's last character holds 2 bits of the mac and 4 unused ones: the same bytes, spelt otherwise
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = ALPHABET.indexOf(mac.slice(-1));
  const respelt = `${mac.slice(0, -1)}${ALPHABET[(last & 0b110000) | ((last + 1) & 0b001111)]}`;
  it.each([
    ['another payload with the old mac', `${version}.${otherPayload}.${mac}`, 'forged'],
    ['a changed mac', `${version}.${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`, 'forged'],
    ['the same mac spelt otherwise (unused bits set)', `${version}.${payload}.${respelt}`, 'forged'],
    ['a shortened mac', `${version}.${payload}.${mac.slice(0, 10)}`, 'forged'],
    ['another version', `u2.${payload}.${mac}`, 'forged'],
    ['a token of another key', UnsubscribeTokens.fromSecretKey(SecretBox.generateKey()).issue(claims), 'forged'],
    ['two parts', `${version}.${payload}`, 'malformed'],
    ['characters outside base64url', `${version}.${payload}+.${mac}`, 'malformed'],
    ['nothing', '', 'malformed'],
  ])('refuses %s', (_name, candidate, problem) => {
    expect(tokens.verify(candidate)).toEqual({ ok: false, problem });
  });

  it('refuses a well-signed payload that is not three non-empty strings', () => {
    // signed with the real key through issue(): an empty user id is still not a claim
    expect(tokens.verify(tokens.issue({ ...claims, userId: '' }))).toEqual({ ok: false, problem: 'malformed' });
  });

  it('names the parameter and the fix for a value that is not shaped like a token', () => {
    expect(unsubscribeTokenIssue('token', 'not a token')).toMatchObject({ path: 'token', message: 'is not an unsubscribe token' });
    expect(unsubscribeTokenIssue('token', `a.b.${'c'.repeat(1100)}`)?.expected).toContain('at most 1024 characters');
  });

  it('refuses a bad HERALD_SECRET_KEY as the secret box does', () => {
    expect(() => UnsubscribeTokens.fromSecretKey(undefined)).toThrow('HERALD_SECRET_KEY must be 32 bytes base64');
    expect(() => UnsubscribeTokens.fromSecretKey('c2hvcnQ=')).toThrow('it decodes to 5 bytes');
  });
});
