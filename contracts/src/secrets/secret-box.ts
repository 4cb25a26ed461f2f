/**
 * Encryption of channel secrets at rest and in the `herald_channel_config` KV bucket (SPEC §2.5):
 * AES-256-GCM with a random 96-bit IV per value and the field's location (`<channel>.<field>`)
 * as additional authenticated data, so a sealed value cannot be moved to another field.
 *
 * Sealed form (what plugins receive): `enc:v1:<iv>:<ciphertext>:<tag>`, each part base64 (standard
 * alphabet). To open: key = base64-decode(HERALD_SECRET_KEY) (32 bytes), AES-256-GCM decrypt of
 * `ciphertext` with `iv`, auth tag `tag` and AAD = UTF-8 of `<channel>.<field>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HeraldError } from '../errors.js';

/** The fix, stated in the error an operator sees. */
export const SECRET_KEY_HELP = 'HERALD_SECRET_KEY must be 32 bytes base64; generate one with `npx herald secret`';

const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Builds the box from `HERALD_SECRET_KEY`; throws `invalid_configuration` saying how to fix a missing or malformed key. */
  static fromBase64(value: string | undefined): SecretBox {
    const text = value?.trim() ?? '';
    const key = BASE64.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) {
      const found = text === '' ? 'it is not set' : key.length === 0 ? 'it is not base64' : `it decodes to ${key.length} bytes`;
      throw new HeraldError('invalid_configuration', `${SECRET_KEY_HELP} (${found})`, [
        { path: 'HERALD_SECRET_KEY', message: found, expected: '32 random bytes, base64-encoded (44 characters)' },
      ]);
    }
    return new SecretBox(key);
  }

  /** A fresh key for `HERALD_SECRET_KEY`. */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  /** Whether `value` is in sealed form (it says nothing about which key sealed it). */
  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  /** Encrypts `plaintext` for the field at `location` (`<channel>.<field>`). */
  seal(plaintext: string, location: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(location, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}:${data.toString('base64')}:${cipher.getAuthTag().toString('base64')}`;
  }

  /** Decrypts a sealed value; throws `invalid_configuration` when it was sealed with another key or for another field. */
  open(sealed: string, location: string): string {
    const parts = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length).split(':') : [];
    const [iv, data, tag] = parts.map((part) => Buffer.from(part, 'base64'));
    if (parts.length !== 3 || !iv || !data || !tag) {
      throw new HeraldError('invalid_configuration', `The secret ${location} is not in sealed form (${PREFIX}…)`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(location, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new HeraldError(
        'invalid_configuration',
        `The secret ${location} cannot be decrypted with this HERALD_SECRET_KEY: it was stored with another key; set the original key or enter the secret again`,
      );
    }
  }
}
