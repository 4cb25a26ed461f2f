import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '../secrets/secret-box.js';
import { resolveChannelConfig, type ChannelConfigLayers } from './channel-config-state.js';
import { testConfigSchema, type TestConfig } from './test-plugin.fixture.js';

const box = SecretBox.fromBase64(SecretBox.generateKey());
const layers = (overrides: Partial<ChannelConfigLayers<TestConfig>>): ChannelConfigLayers<TestConfig> => ({
  channel: 'spec',
  schema: testConfigSchema,
  record: null,
  secretBox: box,
  ...overrides,
});

describe('resolveChannelConfig', () => {
  it.each<[string, Partial<ChannelConfigLayers<TestConfig>>, unknown]>([
    [
      'KV settings',
      { record: { enabled: true, settings: { token: 't', room: 'kv' } } },
      { kind: 'ready', config: { token: 't', room: 'kv' } },
    ],
    [
      'schema defaults',
      { record: { enabled: true, settings: { token: 't' } } },
      { kind: 'ready', config: { token: 't', room: 'general' } },
    ],
    [
      'env over KV, field by field',
      { record: { enabled: true, settings: { token: 'kv', room: 'kv' } }, envConfig: { room: 'env', token: undefined } },
      { kind: 'ready', config: { token: 'kv', room: 'env' } },
    ],
    [
      'KV over base',
      { base: { token: 'base', room: 'base' }, record: { enabled: true, settings: { room: 'kv' } } },
      { kind: 'ready', config: { token: 'base', room: 'kv' } },
    ],
    ['no record but a complete env', { envConfig: { token: 'env' } }, { kind: 'ready', config: { token: 'env', room: 'general' } }],
    [
      'disabled in KV',
      { record: { enabled: false, settings: { token: 't' } } },
      { kind: 'disabled', reason: 'channel spec is disabled', config: { token: 't', room: 'general' } },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(resolveChannelConfig(layers(overrides))).toEqual(expected);
  });

  it('keeps alert enabled whatever KV says', () => {
    expect(resolveChannelConfig(layers({ channel: 'alert', record: { enabled: false, settings: { token: 't' } } })).kind).toBe('ready');
  });

  it('opens sealed secrets with the AAD of their field', () => {
    const record = { enabled: true, settings: { token: box.seal('xoxb', 'spec.token') } };
    expect(resolveChannelConfig(layers({ record }))).toEqual({ kind: 'ready', config: { token: 'xoxb', room: 'general' } });
  });

  it('says how to fix a sealed secret without a key, unless the environment overrides that field', () => {
    const record = { enabled: true, settings: { token: box.seal('xoxb', 'spec.token') } };
    const state = resolveChannelConfig(layers({ record, secretBox: null }));
    expect(state.kind).toBe('unconfigured');
    expect(state.kind === 'unconfigured' && state.reason).toContain(
      'HERALD_SECRET_KEY must be 32 bytes base64; generate one with `npx herald secret`',
    );
    expect(resolveChannelConfig(layers({ record, secretBox: null, envConfig: { token: 'env' } })).kind).toBe('ready');
  });

  it('names every invalid setting and a malformed record', () => {
    const invalid = resolveChannelConfig(layers({ record: { enabled: true, settings: { room: '', extra: 1 } } }));
    expect(invalid.kind === 'unconfigured' && invalid.reason).toBe(
      'channel spec is not configured: token: is required but missing; it must be string (expected string); room: Too small: expected string to have >=1 characters; extra: unknown field "extra" (expected only the documented fields)',
    );
    const malformed = resolveChannelConfig(layers({ record: 'not json' }));
    expect(malformed.kind === 'unconfigured' && malformed.reason).toMatch(/^channel spec is not configured: record: /);
  });
});
