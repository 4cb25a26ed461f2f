import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validationIssues } from '../persistence/testing/expect-issues.js';
import { createTestDatabase, type TestDatabase } from '../persistence/testing/test-database.js';
import { ChannelConfigRepository } from './channel-config.repository.js';
import { ChannelConfigService } from './channel-config.service.js';
import { SecretBox } from '@herald/contracts';

let db: TestDatabase;
let service: ChannelConfigService;
const box = SecretBox.fromBase64(SecretBox.generateKey());
const SLACK_TOKEN = 'xoxb-1111-2222-plaintext-token';
const TEAMS_URL = 'https://example.webhook.office.com/workflows/plaintext-url';

beforeAll(async () => {
  db = await createTestDatabase();
  service = new ChannelConfigService(new ChannelConfigRepository(db.em), box);
});

afterAll(async () => {
  await db.drop();
});

async function rawSettings(channel: string): Promise<string> {
  const rows = await db.query<{ settings: string }>('select settings::text as settings from gateway.channel_config where channel = $1', [
    channel,
  ]);
  return rows[0]?.settings ?? '';
}

describe('secrets', () => {
  it('are encrypted at rest and never shown by the API view', async () => {
    const view = await service.put('slack', { enabled: true, settings: { token: SLACK_TOKEN, channel: '#security' } });
    expect(view).toEqual({
      channel: 'slack',
      enabled: true,
      settings: { token: { configured: true }, channel: '#security', username: 'Herald' },
      updated_at: expect.any(String),
    });
    const raw = await rawSettings('slack');
    expect(raw).toContain('enc:v1:');
    expect(raw).not.toContain(SLACK_TOKEN);
    expect(raw).not.toContain('plaintext');
    expect(JSON.stringify(await service.viewForApi('slack'))).not.toContain(SLACK_TOKEN);
  });

  it('are distributed still sealed, and open with the key', async () => {
    const distributed = await service.storedForDistribution('slack');
    const token = distributed?.settings['token'];
    expect(SecretBox.isSealed(token)).toBe(true);
    expect(box.open(token as string, 'slack.token')).toBe(SLACK_TOKEN);
  });

  it('a PUT that omits a secret (or echoes the view) keeps it; null clears it', async () => {
    await service.put('slack', { enabled: true, settings: { channel: '#other' } });
    expect(box.open((await service.storedForDistribution('slack'))?.settings['token'] as string, 'slack.token')).toBe(SLACK_TOKEN);
    await service.put('slack', { enabled: true, settings: { token: { configured: true }, channel: '#other' } });
    expect((await service.viewForApi('slack'))?.settings['token']).toEqual({ configured: true });
    await service.put('slack', { enabled: true, settings: { token: null, channel: '#other' } });
    expect((await service.viewForApi('slack'))?.settings['token']).toEqual({ configured: false });
  });

  it('the Teams URL is a secret too', async () => {
    const view = await service.put('msteams', { enabled: true, settings: { url: TEAMS_URL } });
    expect(view.settings).toEqual({ url: { configured: true }, format: 'adaptive' });
    expect(await rawSettings('msteams')).not.toContain('plaintext-url');
  });
});

describe('validation', () => {
  it.each<[string, string, unknown, string[]]>([
    ['unknown fields', 'webhooks', { enabled: true, settings: { timeout_seconds: 5, retries: 3 } }, ['settings.retries']],
    ['a bad timeout', 'webhooks', { enabled: true, settings: { timeout_seconds: 0 } }, ['settings.timeout_seconds']],
    ['a missing enabled flag', 'mail', { settings: {} }, ['enabled']],
    ['an unknown Teams format', 'msteams', { enabled: true, settings: { format: 'html' } }, ['settings.format']],
    ['a Teams URL that is not a URL', 'msteams', { enabled: true, settings: { url: 'not a url' } }, ['settings.url']],
    ['disabling alert', 'alert', { enabled: false }, ['enabled']],
    ['a bad channel name', 'Bad Name', { enabled: true }, ['channel']],
  ])('refuses %s', async (_name, channel, body, paths) => {
    const issues = await validationIssues(service.put(channel, body));
    expect(issues.map((issue) => issue.path)).toEqual(paths);
  });

  it('validates every mail recipient and names the bad one', async () => {
    const issues = await validationIssues(
      service.put('mail', { enabled: true, settings: { mail_notifications_to: 'sec@example.org, nope, ops@example.org' } }),
    );
    expect(issues).toEqual([{ path: 'settings.mail_notifications_to', message: 'entry 2 "nope" is not an email address' }]);
  });
});

describe('defaults and routing view', () => {
  it('PUT fills defaults; unconfigured built-in channels have a view, unknown ones none', async () => {
    expect((await service.put('webhooks', { enabled: true, settings: {} })).settings).toEqual({ timeout_seconds: 10 });
    expect(await service.viewForApi('mail')).toEqual({
      channel: 'mail',
      enabled: false,
      settings: { from: 'herald@localhost', team_name: 'Herald', mail_notifications_to: '' },
      updated_at: null,
    });
    expect(await service.viewForApi('discord')).toBeNull();
  });

  it('reports system destinations and mail recipients', async () => {
    await service.put('mail', { enabled: true, settings: { mail_notifications_to: 'Sec@Example.org, ops@example.org,' } });
    await service.put('slack', { enabled: true, settings: { token: SLACK_TOKEN, channel: '' } });
    await service.put('discord', { enabled: false, settings: { guild: 'x' } });
    expect(await service.systemMailRecipients()).toEqual(['sec@example.org', 'ops@example.org']);
    expect(await service.channelRecords()).toEqual([
      { name: 'alert', enabled: true, has_system_destination: true },
      { name: 'mail', enabled: true, has_system_destination: true },
      { name: 'slack', enabled: true, has_system_destination: false },
      { name: 'msteams', enabled: true, has_system_destination: true },
      { name: 'webhooks', enabled: true, has_system_destination: true },
      { name: 'discord', enabled: false, has_system_destination: true },
    ]);
    expect((await service.listForApi()).map((view) => view.channel)).toEqual(['alert', 'mail', 'slack', 'msteams', 'webhooks', 'discord']);
  });
});
