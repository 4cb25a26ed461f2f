import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { generateSigningSecret, sign, signatureHeader } from './signature.js';

describe('Standard Webhooks signatures', () => {
  it('matches the specification’s published example', () => {
    // standardwebhooks.com reference libraries' test vector
    expect(sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('signs with each secret of a rotation, in order, and with the right key however many secrets it has seen', () => {
    const expected = (secret: string, body: string): string =>
      `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
        .update(`id-1.1700000000.${body}`)
        .digest('base64')}`;
    const secrets = Array.from({ length: 2_100 }, () => generateSigningSecret());
    // more secrets than the key cache holds: every signature must still use its own secret
    for (const [i, secret] of secrets.entries()) expect(sign(secret, 'id-1', 1700000000, `body-${i}`)).toBe(expected(secret, `body-${i}`));
    const [first, second] = secrets as [string, string];
    expect(signatureHeader([first, second], 'id-1', 1700000000, 'b')).toBe(`${expected(first, 'b')} ${expected(second, 'b')}`);
    expect(sign(first, 'id-1', 1700000000, 'b')).not.toBe(sign(second, 'id-1', 1700000000, 'b'));
  });
});
