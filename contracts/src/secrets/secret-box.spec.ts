import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { hasErrorCode } from '../errors.js';
import { SECRET_KEY_HELP, SecretBox } from './secret-box.js';

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('SecretBox', () => {
  it.each<[string, string | undefined, string]>([
    ['missing', undefined, 'it is not set'],
    ['empty', '  ', 'it is not set'],
    ['not base64', 'this is not base64!', 'it is not base64'],
    ['16 bytes', randomBytes(16).toString('base64'), 'it decodes to 16 bytes'],
    ['33 bytes', randomBytes(33).toString('base64'), 'it decodes to 33 bytes'],
  ])('refuses a %s key with a message saying how to fix it', (_name, value, found) => {
    const error = errorOf(() => SecretBox.fromBase64(value));
    expect(hasErrorCode(error, 'invalid_configuration')).toBe(true);
    expect((error as Error).message).toBe(`${SECRET_KEY_HELP} (${found})`);
    expect((error as Error).message).toContain('HERALD_SECRET_KEY must be 32 bytes base64; generate one with `npx herald secret`');
  });

  it('round-trips a secret, with a fresh IV each time', () => {
    const box = SecretBox.fromBase64(SecretBox.generateKey());
    const a = box.seal('xoxb-secret', 'slack.token');
    const b = box.seal('xoxb-secret', 'slack.token');
    expect(a).not.toBe(b);
    expect(SecretBox.isSealed(a)).toBe(true);
    expect(a).not.toContain('xoxb-secret');
    expect(box.open(a, 'slack.token')).toBe('xoxb-secret');
  });

  it('refuses to open a value moved to another field or sealed with another key', () => {
    const box = SecretBox.fromBase64(SecretBox.generateKey());
    const sealed = box.seal('https://hooks.example.org/x', 'msteams.url');
    expect(
      hasErrorCode(
        errorOf(() => box.open(sealed, 'slack.token')),
        'invalid_configuration',
      ),
    ).toBe(true);
    const other = SecretBox.fromBase64(SecretBox.generateKey());
    expect((errorOf(() => other.open(sealed, 'msteams.url')) as Error).message).toContain('stored with another key');
  });
});
