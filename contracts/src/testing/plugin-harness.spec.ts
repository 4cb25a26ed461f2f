/**
 * The harness seals secrets the way production does: only the fields the plugin's registration
 * declares, with the gateway's own `sealSecretFields`. A plugin that forgets to declare a secret
 * is seen to store it in plaintext; one that declares a field its schema lacks does not start.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { testPlugin } from '../sdk/test-plugin.fixture.js';
import { startPluginHarness, type PluginHarness } from './plugin-harness.js';

const TOKEN = 'tok-plaintext-value';
let harness: PluginHarness<unknown> | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('plugin harness secrets', () => {
  it('seals a declared secret in the KV bucket; the plugin opens it', async () => {
    const { plugin } = testPlugin('harness-declared');
    const started = await startPluginHarness({ plugin, config: { token: TOKEN, room: 'ops' } });
    harness = started;
    const stored = await started.storedConfig();
    expect(String(stored?.settings['token'])).toMatch(/^enc:v1:/);
    expect(JSON.stringify(stored)).not.toContain(TOKEN);
    expect(started.running.config()).toEqual({ token: TOKEN, room: 'ops' });
    expect((await started.registration())?.secret_fields).toEqual(['token']);

    // After start, the registration the plugin published decides (the production path).
    await started.putConfig({ token: 'tok-second-value', room: 'ops' });
    expect(JSON.stringify(await started.storedConfig())).not.toContain('tok-second-value');
  });

  it('leaves a secret the plugin forgot to declare in plaintext, where a test sees it', async () => {
    const { plugin } = testPlugin('harness-forgot');
    const { secretFields: _forgotten, ...undeclared } = plugin;
    const started = await startPluginHarness({ plugin: undeclared, config: { token: TOKEN } });
    harness = started;
    expect((await started.storedConfig())?.settings['token']).toBe(TOKEN);
    expect((await started.registration())?.secret_fields).toEqual([]);
  });

  it('refuses to start a plugin that declares a secret field its schema lacks', async () => {
    const { plugin } = testPlugin('harness-typo');
    await expect(startPluginHarness({ plugin: { ...plugin, secretFields: ['tokn'] }, config: { token: TOKEN } })).rejects.toThrow(
      'The harness-typo plugin declares secret field "tokn", which its configSchema does not have; fields: token, room',
    );
  });
});
