import { describe, expect, it } from '@jest/globals';
import { hasErrorCode } from '../errors.js';
import { SecretBox } from '../secrets/secret-box.js';
import { loadPluginEnv, runOptionsFromEnv } from './plugin-env.js';

describe('loadPluginEnv', () => {
  it('applies the documented defaults', () => {
    expect(loadPluginEnv({}, 'slack')).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      natsSecurity: { auth: { kind: 'none' }, tls: undefined },
      prefix: 'herald',
      secretKey: undefined,
      httpPort: undefined,
      httpHost: undefined,
      concurrency: undefined,
      logLevel: 'info',
      connectionName: 'herald-plugin-slack',
      streamStorage: { replicas: 1, placementTags: [] },
    });
  });

  it('reads every variable', () => {
    const key = SecretBox.generateKey();
    expect(
      loadPluginEnv(
        {
          NATS_URL: 'nats://a:4222,nats://b:4222',
          HERALD_SUBJECT_PREFIX: 'acme.herald',
          HERALD_SECRET_KEY: key,
          HERALD_PLUGIN_HTTP_PORT: '9101',
          HERALD_PLUGIN_HTTP_HOST: '127.0.0.1',
          HERALD_PLUGIN_CONCURRENCY: '4',
          HERALD_LOG_LEVEL: 'debug',
          HERALD_STREAM_REPLICAS: '3',
          HERALD_STREAM_PLACEMENT_TAGS: 'az:a',
          UNRELATED: 'x',
        },
        'mail',
      ),
    ).toMatchObject({
      natsUrl: 'nats://a:4222,nats://b:4222',
      prefix: 'acme.herald',
      secretKey: key,
      httpPort: 9101,
      httpHost: '127.0.0.1',
      concurrency: 4,
      logLevel: 'debug',
      streamStorage: { replicas: 3, placementTags: ['az:a'] },
    });
  });

  it('lists every bad variable in one error, without echoing the secret key', () => {
    let caught: unknown;
    try {
      loadPluginEnv(
        {
          NATS_URL: 'nats://a b',
          HERALD_SUBJECT_PREFIX: 'bad prefix',
          HERALD_SECRET_KEY: 'c2hvcnQ=',
          HERALD_PLUGIN_HTTP_PORT: '70000',
          HERALD_PLUGIN_HTTP_HOST: 'local host',
          HERALD_PLUGIN_CONCURRENCY: '0',
          HERALD_LOG_LEVEL: 'loud',
        },
        'slack',
      );
    } catch (error) {
      caught = error;
    }
    expect(hasErrorCode(caught, 'invalid_configuration')).toBe(true);
    const details = (caught as { details: Array<{ path: string }> }).details.map((d) => d.path);
    expect(details.sort()).toEqual(
      [
        'HERALD_LOG_LEVEL',
        'HERALD_PLUGIN_CONCURRENCY',
        'HERALD_PLUGIN_HTTP_HOST',
        'HERALD_PLUGIN_HTTP_PORT',
        'HERALD_SECRET_KEY',
        'HERALD_SUBJECT_PREFIX',
        'NATS_URL',
      ].sort(),
    );
    const message = (caught as Error).message;
    expect(message).toContain('HERALD_SECRET_KEY: HERALD_SECRET_KEY must be 32 bytes base64; generate one with `npx herald secret`');
    expect(message).not.toContain('c2hvcnQ=');
    expect(message).toContain('HERALD_PLUGIN_HTTP_PORT: must be at most 65535 (got "70000")');
    expect(message).toContain('HERALD_PLUGIN_HTTP_HOST: must be an interface address or host name');
  });

  it('passes the bind host to runPlugin', () => {
    const env = loadPluginEnv({ HERALD_PLUGIN_HTTP_HOST: '::1' }, 'mail');
    expect(runOptionsFromEnv(env, 8081)).toMatchObject({ httpPort: 8081, httpHost: '::1' });
    expect(runOptionsFromEnv(loadPluginEnv({}, 'mail'), 8081)).not.toHaveProperty('httpHost');
  });

  it("leaves the concurrency to the plugin's default unless HERALD_PLUGIN_CONCURRENCY is set", () => {
    expect(runOptionsFromEnv(loadPluginEnv({}, 'mail'))).not.toHaveProperty('concurrency');
    expect(runOptionsFromEnv(loadPluginEnv({ HERALD_PLUGIN_CONCURRENCY: '24' }, 'mail'))).toMatchObject({ concurrency: 24 });
  });
});
