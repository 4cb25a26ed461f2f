/**
 * Channel configuration from the registry alone (SPEC §2.5): a third-party channel, declared here
 * as an author would, registered on real NATS exactly as `runPlugin` registers it, configured
 * against real PostgreSQL. The built-in channels take the same path (test/api.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, SecretBox, silentLogger, SINGLE_REPLICA, topology, z, type PluginRegistration } from '@herald/contracts';
import { deleteTopology, registerChannel, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { ApiError } from '../http/error.filter.js';
import { validationIssues } from '../persistence/testing/expect-issues.js';
import { createTestDatabase, type TestDatabase } from '../persistence/testing/test-database.js';
import { ChannelConfigRepository } from './channel-config.repository.js';
import { ChannelConfigService } from './channel-config.service.js';
import { ChannelRegistry } from './channel-registry.js';

const prefix = uniquePrefix('chcfg');
let nc: NatsConnection;
let db: TestDatabase;
let service: ChannelConfigService;
const box = SecretBox.fromBase64(SecretBox.generateKey());
const HOOK = 'https://chat.example.org/hooks/plaintext-secret-hook';

// A Mattermost-style incoming-webhook channel: not built in, nothing about it known to the gateway.
const mattermost = {
  channel: 'mattermost',
  version: '1.0.0',
  configSchema: z.object({
    /** Secret: whoever has it can post. */
    url: z.url({ protocol: /^https?$/ }).meta({ description: 'the incoming-webhook URL, https://…' }),
    channel: z.string().min(1).max(64).default('town-square'),
    username: z.string().min(1).default('Herald'),
    timeout_seconds: z.number().int().min(1).max(60).default(10),
  }),
  secretFields: ['url'],
};

async function rawSettings(channel: string): Promise<string> {
  const rows = await db.query<{ settings: string }>('select settings::text as settings from gateway.channel_config where channel = $1', [
    channel,
  ]);
  return rows[0]?.settings ?? '';
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'channel-config-spec' });
  db = await createTestDatabase();
  service = new ChannelConfigService(
    new ChannelConfigRepository(db.em),
    box,
    new ChannelRegistry(db.em, nc, { subjectPrefix: prefix, streamStorage: SINGLE_REPLICA }, silentLogger),
  );
});

afterAll(async () => {
  await deleteTopology(nc, topology({ prefix }));
  await nc.close();
  await db.drop();
});

describe('a channel no plugin ever registered', () => {
  it('cannot be read or configured: 409 channel_not_registered, saying to start the plugin', async () => {
    for (const call of [service.put('mattermost', { enabled: true, settings: { url: HOOK } }), service.viewForApi('mattermost')]) {
      const error = await rejection(call);
      expect(error.getStatus()).toBe(409);
      expect(error.code).toBe('channel_not_registered');
      expect(error.message).toContain('start the mattermost plugin');
    }
    expect(await rawSettings('mattermost')).toBe('');
  });
});

describe('a bad channel name', () => {
  it('is refused on GET and PUT, naming the channel', async () => {
    for (const call of [service.viewForApi('Bad Name'), service.put('Bad Name', { enabled: true })]) {
      expect((await validationIssues(call)).map((issue) => issue.path)).toEqual(['channel']);
    }
  });
});

describe('a registered third-party channel', () => {
  let registration: PluginRegistration;
  beforeAll(async () => {
    registration = await registerChannel(nc, prefix, mattermost, 'spec-instance-1');
  });
  afterAll(async () => {
    await registration.stop();
  });

  it('serves GET before any PUT: the registered defaults, configured false', async () => {
    expect(await service.viewForApi('mattermost')).toEqual({
      channel: 'mattermost',
      enabled: false,
      configured: false,
      settings: { url: { configured: false }, channel: 'town-square', username: 'Herald', timeout_seconds: 10 },
      updated_at: null,
    });
  });

  it.each<[string, Record<string, unknown>, Array<{ path: string; message: string }>]>([
    ['a missing required secret', { channel: 'x' }, [{ path: 'settings.url', message: 'is required; set it' }]],
    ['a URL that is not a URL', { url: 'not a url' }, [{ path: 'settings.url', message: 'must be a valid uri' }]],
    ['an unknown field', { url: HOOK, colour: 'red' }, [{ path: 'settings.colour', message: 'unknown field "colour"' }]],
    ['a timeout out of range', { url: HOOK, timeout_seconds: 0 }, [{ path: 'settings.timeout_seconds', message: 'must be >= 1' }]],
    ['a wrong type', { url: HOOK, channel: 7 }, [{ path: 'settings.channel', message: 'must be string' }]],
    [
      'a secret given an object',
      { url: { value: HOOK } },
      [
        { path: 'settings.url', message: 'is a secret and cannot take this value' },
        { path: 'settings.url', message: 'is required; set it' },
      ],
    ],
  ])('refuses %s, naming the field (400 validation_failed)', async (_name, settings, expected) => {
    const issues = await validationIssues(service.put('mattermost', { enabled: true, settings }));
    expect(issues.map(({ path, message }) => ({ path, message }))).toEqual(expected);
    expect(await rawSettings('mattermost')).toBe('');
  });

  it('says how to fix an unknown field: the fields the channel has', async () => {
    const issues = await validationIssues(service.put('mattermost', { enabled: true, settings: { url: HOOK, colour: 'red' } }));
    expect(issues).toEqual([
      { path: 'settings.colour', message: 'unknown field "colour"', expected: 'one of the fields url, channel, username, timeout_seconds' },
    ]);
  });

  it('seals the declared secret at rest and never echoes it', async () => {
    const view = await service.put('mattermost', { enabled: true, settings: { url: HOOK, channel: 'security' } });
    expect(view).toEqual({
      channel: 'mattermost',
      enabled: true,
      configured: true,
      settings: { url: { configured: true }, channel: 'security', username: 'Herald', timeout_seconds: 10 },
      updated_at: expect.any(String),
    });
    const raw = await rawSettings('mattermost');
    expect(raw).toContain('enc:v1:');
    expect(raw).not.toContain('plaintext-secret-hook');
    expect(JSON.stringify(await service.viewForApi('mattermost'))).not.toContain('plaintext-secret-hook');
    const distributed = await service.storedForDistribution('mattermost');
    expect(SecretBox.isSealed(distributed?.settings['url'])).toBe(true);
    expect(box.open(distributed?.settings['url'] as string, 'mattermost.url')).toBe(HOOK);
  });

  it('a PUT that leaves fields out keeps them (secret and plain); null resets a plain field to its default', async () => {
    await service.put('mattermost', { enabled: true, settings: { username: 'bot', timeout_seconds: 20 } });
    let stored = await service.storedForDistribution('mattermost');
    expect(box.open(stored?.settings['url'] as string, 'mattermost.url')).toBe(HOOK);
    expect(stored?.settings).toEqual({ url: expect.stringMatching(/^enc:v1:/), channel: 'security', username: 'bot', timeout_seconds: 20 });

    const view = await service.put('mattermost', { enabled: true, settings: { url: { configured: true }, channel: null } });
    expect(view.settings).toEqual({ url: { configured: true }, channel: 'town-square', username: 'bot', timeout_seconds: 20 });
    stored = await service.storedForDistribution('mattermost');
    expect(stored?.settings).not.toHaveProperty('channel');
  });

  it('null clears a secret, which this channel requires: refused, the stored one kept', async () => {
    const issues = await validationIssues(service.put('mattermost', { enabled: true, settings: { url: null } }));
    expect(issues.map((issue) => issue.path)).toEqual(['settings.url']);
    expect((await service.viewForApi('mattermost')).settings['url']).toEqual({ configured: true });
  });

  it('lists the channel as registered, live and validly configured', async () => {
    const entry = (await service.overview()).find((channel) => channel.name === 'mattermost');
    expect(entry).toEqual({
      name: 'mattermost',
      builtin: false,
      enabled: true,
      configured: true,
      config_valid: true,
      config_errors: [],
      registered: true,
      registered_version: '1.0.0',
      config_schema: expect.objectContaining({ type: 'object', required: ['url'] }),
      secret_fields: ['url'],
      plugin: { name: 'mattermost', version: '1.0.0', instances: 1, last_heartbeat: expect.any(String) },
      live: true,
    });
    // the registered schema as the plugin declared it: the form a console generates needs every field
    expect(Object.keys(entry?.config_schema?.['properties'] ?? {}).sort()).toEqual(['channel', 'timeout_seconds', 'url', 'username']);
  });
});

describe('while the plugin is down, and after an upgrade', () => {
  it('keeps the last registration: the configuration can still be read and edited', async () => {
    const entries = (await service.overview()).find((channel) => channel.name === 'mattermost');
    expect(entries?.live).toBe(false);
    expect((await service.viewForApi('mattermost')).settings['username']).toBe('bot');
    const view = await service.put('mattermost', { enabled: true, settings: { username: 'herald-bot' } });
    expect(view.settings['username']).toBe('herald-bot');
    const rows = await db.query<{ version: string }>('select version from gateway.channel_registrations where channel = $1', [
      'mattermost',
    ]);
    expect(rows).toEqual([{ version: '1.0.0' }]);
  });

  it('reports a stored configuration the newer schema refuses: configured false, config_valid false, the errors', async () => {
    const stricter = {
      ...mattermost,
      version: '2.0.0',
      configSchema: mattermost.configSchema.extend({ timeout_seconds: z.number().int().min(1).max(15).default(5) }),
    };
    const registration = await registerChannel(nc, prefix, stricter, 'spec-instance-2');
    try {
      const entry = (await service.overview()).find((channel) => channel.name === 'mattermost');
      expect(entry).toMatchObject({
        configured: false,
        config_valid: false,
        registered_version: '2.0.0',
        config_errors: [{ path: 'settings.timeout_seconds', message: 'must be <= 15' }],
      });
      // A PUT that does not fix it names the field; one that does is accepted.
      const issues = await validationIssues(service.put('mattermost', { enabled: true, settings: { username: 'x' } }));
      expect(issues.map((issue) => issue.path)).toEqual(['settings.timeout_seconds']);
      await service.put('mattermost', { enabled: true, settings: { timeout_seconds: null } });
      expect((await service.overview()).find((channel) => channel.name === 'mattermost')).toMatchObject({
        configured: true,
        config_valid: true,
      });
      expect((await service.viewForApi('mattermost')).settings['timeout_seconds']).toBe(5);
    } finally {
      await registration.stop();
    }
  });
});
