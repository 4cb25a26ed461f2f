/**
 * Standard Webhooks signatures (standardwebhooks.com, "Signature scheme"). Pure.
 * Signed content: `<webhook-id>.<webhook-timestamp>.<body>`; key: the base64-decoded part of a
 * `whsec_…` secret; signature: `v1,<base64 HMAC-SHA256>`. With several secrets (rotation) the
 * `webhook-signature` header carries one signature per secret, space-separated.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { BoundedMemo } from '@herald/contracts';

const SECRET_PREFIX = 'whsec_';
/** Standard Webhooks recommends 24–64 random bytes. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** Why `secret` is not a usable `whsec_…` secret, or null when it is. */
export function signingSecretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return 'must start with "whsec_" (Standard Webhooks secret)';
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return 'must be "whsec_" followed by base64';
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES) return `must decode to ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} bytes (found ${bytes})`;
  return null;
}

/** A fresh `whsec_…` secret (32 random bytes). */
export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * Signing keys by secret, as KeyObjects: createHmac checks and wraps a Buffer key on every call
 * (≈ 11 µs against ≈ 3 µs for a KeyObject on Node 24), once per POST.
 */
const signingKeys = new BoundedMemo<string, KeyObject>(1_024);

/** One `v1,<base64>` signature. */
export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = signingKeys.get(secret, (text) => createSecretKey(Buffer.from(text.slice(SECRET_PREFIX.length), 'base64')));
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The `webhook-signature` header value: one signature per secret, space-separated. */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => sign(secret, id, timestampSeconds, body)).join(' ');
}
