import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { hasErrorCode } from '../errors.js';
import { loadPluginEnv } from '../sdk/plugin-env.js';
import { loadNatsEnv, natsConnectionOptions } from './connection-options.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-nats-env-'));
const user = nkeys.createUser();
const seed = new TextDecoder().decode(user.getSeed());
const seedFile = join(dir, 'user.nk');
writeFileSync(seedFile, `${seed}\n`);
const credsFile = join(dir, 'user.creds');
writeFileSync(
  credsFile,
  `-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QifQ.e30.c2ln\n------END NATS USER JWT------\n\n` +
    `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
);
const pem = join(dir, 'ca.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(env: Record<string, string>): string {
  try {
    loadNatsEnv(env, 'the test');
  } catch (error) {
    expect(hasErrorCode(error, 'invalid_configuration')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an invalid_configuration error');
}

/** What the authenticator sends in CONNECT for a server nonce. */
function connectFields(env: Record<string, string>): unknown {
  const { url, security } = loadNatsEnv(env, 'the test');
  const auth = natsConnectionOptions([url], security).authenticator;
  return auth === undefined ? undefined : (auth as (nonce?: string) => unknown)('nonce-1');
}

describe('NATS credentials and TLS from the environment', () => {
  it('needs nothing: no authenticator, TLS only if the server asks', () => {
    expect(loadNatsEnv({}, 'the test')).toEqual({ url: 'nats://127.0.0.1:4222', security: { auth: { kind: 'none' }, tls: undefined } });
    expect(natsConnectionOptions(['nats://127.0.0.1:4222'])).toEqual({});
  });

  it.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['user and password', { NATS_USER: 'ann', NATS_PASSWORD: 'pw' }, { user: 'ann', pass: 'pw' }],
    ['a token', { NATS_TOKEN: 's3cret' }, { auth_token: 's3cret' }],
    ['an NKey seed', { NATS_NKEY_SEED: seed }, { nkey: user.getPublicKey() }],
    ['an NKey seed file', { NATS_NKEY_SEED_FILE: seedFile }, { nkey: user.getPublicKey() }],
    ['the JWT of a .creds file', { NATS_CREDS_FILE: credsFile }, { jwt: 'eyJ0eXAiOiJKV1QifQ.e30.c2ln' }],
  ])('sends %s when connecting', (_label, env, expected) => {
    expect(connectFields(env)).toMatchObject(expected);
  });

  it.each([
    ['an NKey seed file', { NATS_NKEY_SEED_FILE: seedFile }],
    ['a .creds file', { NATS_CREDS_FILE: credsFile }],
  ])('signs the server nonce with the seed of %s', (_label, env) => {
    const fields = connectFields(env) as { sig: string };
    expect(user.verify(new TextEncoder().encode('nonce-1'), Buffer.from(fields.sig, 'base64url'))).toBe(true);
  });

  it('requires TLS for tls:// URLs and when TLS files are set, with the files given', () => {
    expect(natsConnectionOptions(['tls://nats.example:4222'])).toEqual({ tls: {} });
    const env = loadNatsEnv(
      { NATS_URL: 'nats://a:4222', NATS_TLS_CA_FILE: pem, NATS_TLS_CERT_FILE: pem, NATS_TLS_KEY_FILE: pem },
      'the test',
    );
    expect(natsConnectionOptions([env.url], env.security)).toEqual({ tls: { caFile: pem, certFile: pem, keyFile: pem } });
    expect(loadNatsEnv({ NATS_URL: 'tls://a:4222,tls://b:4222' }, 'the test').security.tls).toEqual({});
  });

  it('names the variable and the path of a missing file', () => {
    const missing = join(dir, 'nope.pem');
    const message = failure({ NATS_TLS_CA_FILE: missing, NATS_CREDS_FILE: join(dir, 'nope.creds') });
    expect(message).toContain(`NATS_TLS_CA_FILE: no file at "${missing}": it must name a PEM CA certificate bundle`);
    expect(message).toContain('NATS_CREDS_FILE: no file at');
    expect(failure({ NATS_NKEY_SEED_FILE: dir })).toContain(`NATS_NKEY_SEED_FILE: "${dir}" is not a file`);
  });

  it('refuses half-given pairs, two methods at once and a malformed seed, never echoing secrets', () => {
    expect(failure({ NATS_USER: 'ann' })).toContain('NATS_PASSWORD: must be set with NATS_USER');
    expect(failure({ NATS_TLS_CERT_FILE: pem })).toContain('NATS_TLS_KEY_FILE: must be set with NATS_TLS_CERT_FILE');
    const two = failure({ NATS_USER: 'ann', NATS_PASSWORD: 'pw-hidden', NATS_TOKEN: 'token-hidden' });
    expect(two).toContain('NATS_TOKEN: set one NATS authentication method only; got NATS_USER/NATS_PASSWORD, NATS_TOKEN');
    const badSeed = failure({ NATS_NKEY_SEED: 'SUseed-hidden', NATS_URL: 'nats://ann:pw-hidden@a b:4222' });
    expect(badSeed).toContain('NATS_URL: must be one or more comma-separated NATS server URLs');
    expect(badSeed).toContain('NATS_NKEY_SEED: must be a user NKey seed');
    const badSeedFile = join(dir, 'bad.nk');
    writeFileSync(badSeedFile, 'not a seed');
    expect(failure({ NATS_NKEY_SEED_FILE: badSeedFile })).toContain('NATS_NKEY_SEED_FILE: the file must hold a user NKey seed');
    for (const message of [two, badSeed])
      for (const secret of ['pw-hidden', 'token-hidden', 'seed-hidden']) expect(message).not.toContain(secret);
  });

  it('is part of every plugin environment, parsed with the other variables', () => {
    expect(loadPluginEnv({ NATS_URL: 'tls://n:4222', NATS_TOKEN: 't' }, 'slack').natsSecurity).toEqual({
      auth: { kind: 'token', token: 't' },
      tls: {},
    });
    expect(() => loadPluginEnv({ NATS_CREDS_FILE: join(dir, 'none.creds'), HERALD_LOG_LEVEL: 'loud' }, 'slack')).toThrow(
      /NATS_CREDS_FILE: no file at/,
    );
  });
});
