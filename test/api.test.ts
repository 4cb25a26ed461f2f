/**
 * The gateway API against real NATS and PostgreSQL: authentication and authorization, bad bodies
 * answered with 400 naming the field, channel configuration (secrets write-only, distributed to
 * plugins through KV), directory events, statuses and dead letters, HTTP ingress, OpenAPI.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology, z, type ChannelMessage, type DeliveryStatus } from '@herald/contracts';
import {
  deleteTopology,
  readStream,
  deliveryStatusFixture,
  registerChannel,
  resolveNatsUrl,
  uniquePrefix,
  waitFor,
} from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { registerBuiltinChannels } from './support/builtin-registrations.js';
import { TEST_ADMIN_TOKEN, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('api');
const topo = topology({ prefix });
let nc: NatsConnection;
let js: JetStreamClient;
let db: TestDatabase;
// The built-in plugins are not run here: their registrations are, as the plugins write them.
let registrations: { stop(): Promise<void> } | undefined;
let gateway: RunningGateway;
let admin: ApiClient;
let anonymous: ApiClient;
let base: string;

interface ErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; message: string }> };
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  registrations = await registerBuiltinChannels(nc, prefix);
  gateway = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger });
  base = `http://127.0.0.1:${gateway.port}`;
  anonymous = new ApiClient(`${base}/api/v1`);
  admin = anonymous.withToken(TEST_ADMIN_TOKEN);
  await admin.expect(201, 'PUT', '/users/u1', { username: 'ann', email: 'ann@example.com' });
  await admin.expect(201, 'PUT', '/users/u2', { username: 'ben', email: 'ben@example.com' });
});

afterAll(async () => {
  await registrations?.stop();
  await gateway?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('authentication and authorization', () => {
  it('refuses a request without a token (401) and with an unknown token (401)', async () => {
    const none = await anonymous.get<ErrorBody>('/settings/system');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect((await anonymous.withToken('hrld_nope').get('/settings/system')).status).toBe(401);
  });

  it("lets a user token read and change its own settings, and nobody else's (403)", async () => {
    const { token } = await admin.expect<{ token: string }>(201, 'POST', '/tokens', { user_id: 'u1' });
    const ann = anonymous.withToken(token);
    expect((await ann.get('/users/u1/settings')).status).toBe(200);
    expect((await ann.patch('/users/u1/settings', { events: { scan_added: ['mail'] } })).status).toBe(200);
    const other = await ann.get<ErrorBody>('/users/u2/settings');
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect((await ann.put('/users/u2/settings', { events: {} })).status).toBe(403);
    expect((await ann.put('/users/u2/settings/products/p1', { events: {} })).status).toBe(403);
    expect((await ann.get('/settings/system')).status).toBe(403);
    expect((await ann.post('/tokens', {})).status).toBe(403);
    expect((await ann.get('/deliveries?user_id=u2')).status).toBe(403);
  });

  it('stores tokens hashed and shows them once', async () => {
    const created = await admin.expect<{ id: string; token: string }>(201, 'POST', '/tokens', {});
    const listed = await admin.expect<{ items: Array<Record<string, unknown>> }>(200, 'GET', '/tokens');
    const entry = listed.items.find((t) => t['id'] === created.id);
    expect(entry).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(created.token);
    const rows = await db.query<{ token_hash: string }>('select token_hash from gateway.api_tokens where id = $1', [created.id]);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    await admin.expect(204, 'DELETE', `/tokens/${created.id}`);
    expect((await anonymous.withToken(created.token).get('/event-types')).status).toBe(401);
  });
});

describe('bad bodies get 400 naming the field', () => {
  it.each<[string, string, string, unknown, string]>([
    ['unknown event', 'PUT', '/users/u1/settings', { events: { scan_addded: ['alert'] } }, 'events.scan_addded'],
    ['unknown channel', 'PUT', '/users/u1/settings', { events: { scan_added: ['pigeon'] } }, 'events.scan_added[0]'],
    ['msteams in a personal row', 'PATCH', '/users/u1/settings', { events: { scan_added: ['msteams'] } }, 'events.scan_added[0]'],
    [
      'a non-product column in a product row',
      'PUT',
      '/users/u1/settings/products/p1',
      { events: { user_mentioned: ['alert'] } },
      'events.user_mentioned',
    ],
    ['events not an object', 'PUT', '/settings/system', { events: ['alert'] }, 'events'],
    ['a user without username', 'PUT', '/users/u9', { email: 'x@example.com' }, 'username'],
    [
      'an invalid system mail address',
      'PUT',
      '/channels/mail/config',
      { enabled: true, settings: { mail_notifications_to: 'ops@example.com, nope' } },
      'settings.mail_notifications_to',
    ],
    ['an unknown channel setting', 'PUT', '/channels/slack/config', { enabled: true, settings: { tokn: 'x' } }, 'settings'],
    [
      'an invalid event on HTTP ingress',
      'POST',
      '/events',
      { specversion: '1.0', id: 'x', source: 's', type: 'scan_added', data: { recipients: [{ username: 'ann' }] } },
      'data.recipients[0]',
    ],
    ['a bad query parameter', 'GET', '/deliveries?outcome=lost', undefined, 'outcome'],
  ])('%s', async (_label, method, path, body, field) => {
    if (path.startsWith('/users/u1/settings/products'))
      await admin.expect(201, 'PUT', '/product-types/pt1', { name: 'T' }).catch(() => undefined);
    if (path.startsWith('/users/u1/settings/products')) await admin.request('PUT', '/products/p1', { name: 'P', product_type_id: 'pt1' });
    const res = await admin.request<ErrorBody>(method, path, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d) => d.path)).toContainEqual(expect.stringContaining(field));
  });

  it('answers 404 in the error shape for an unknown user', async () => {
    const res = await admin.get<ErrorBody>('/users/nobody/settings');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'user nobody not found', details: [] } });
  });
});

describe('channel configuration', () => {
  it('never shows a secret, keeps it encrypted at rest and distributes it sealed through KV', async () => {
    const view = await admin.expect<{ settings: Record<string, unknown> }>(200, 'PUT', '/channels/slack/config', {
      enabled: true,
      settings: { token: 'xoxb-very-secret', channel: '#sec' },
    });
    expect(view.settings['token']).toEqual({ configured: true });
    expect(JSON.stringify(await admin.expect(200, 'GET', '/channels/slack/config'))).not.toContain('xoxb-very-secret');
    const raw = await db.query<{ settings: unknown }>("select settings from gateway.channel_config where channel = 'slack'");
    expect(JSON.stringify(raw)).not.toContain('xoxb-very-secret');
    const kv = await new Kvm(nc).open(`${prefix}_channel_config`);
    const entry = await kv.get('slack');
    const distributed = entry!.json<{ enabled: boolean; settings: Record<string, unknown> }>();
    expect(distributed.enabled).toBe(true);
    expect(distributed.settings['channel']).toBe('#sec');
    expect(String(distributed.settings['token'])).toMatch(/^enc:v1:/);
  });

  it('a third-party channel takes the same path: its declared secret sealed in PostgreSQL and KV, never echoed', async () => {
    const hook = 'https://chat.example.org/hooks/plaintext-hook-value';
    expect((await admin.request<ErrorBody>('PUT', '/channels/mattermost/config', { enabled: true, settings: { url: hook } })).status).toBe(
      409,
    );
    const registration = await registerChannel(nc, prefix, {
      channel: 'mattermost',
      version: '1.0.0',
      configSchema: z.object({ url: z.url(), channel: z.string().default('town-square') }),
      secretFields: ['url'],
    });
    try {
      const unconfigured = await admin.expect<Record<string, unknown>>(200, 'GET', '/channels/mattermost/config');
      expect(unconfigured).toEqual({
        channel: 'mattermost',
        enabled: false,
        configured: false,
        settings: { url: { configured: false }, channel: 'town-square' },
        updated_at: null,
      });
      const invalid = await admin.request<ErrorBody>('PUT', '/channels/mattermost/config', { enabled: true, settings: { url: 'nope' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.code).toBe('validation_failed');
      expect(invalid.body.error.details.map((d) => d.path)).toEqual(['settings.url']);

      const view = await admin.expect<Record<string, unknown>>(200, 'PUT', '/channels/mattermost/config', {
        enabled: true,
        settings: { url: hook },
      });
      expect(view['settings']).toEqual({ url: { configured: true }, channel: 'town-square' });
      expect(JSON.stringify(await admin.expect(200, 'GET', '/channels/mattermost/config'))).not.toContain('plaintext-hook-value');
      const raw = await db.query<{ settings: unknown }>("select settings from gateway.channel_config where channel = 'mattermost'");
      expect(JSON.stringify(raw)).not.toContain('plaintext-hook-value');
      const entry = await (await new Kvm(nc).open(`${prefix}_channel_config`)).get('mattermost');
      const distributed = entry!.json<{ settings: Record<string, unknown> }>();
      expect(String(distributed.settings['url'])).toMatch(/^enc:v1:/);
      expect(JSON.stringify(distributed)).not.toContain('plaintext-hook-value');

      // A partial PUT keeps the secret.
      await admin.expect(200, 'PUT', '/channels/mattermost/config', { enabled: true, settings: { channel: 'ops' } });
      const kept = (await (await new Kvm(nc).open(`${prefix}_channel_config`)).get('mattermost'))!.json<{
        settings: Record<string, unknown>;
      }>();
      expect(kept.settings).toEqual({ url: distributed.settings['url'], channel: 'ops' });
    } finally {
      await registration.stop();
    }
  });

  it('remembers a registration seen while the plugin ran, without any API call: configurable while the plugin is down', async () => {
    const registration = await registerChannel(nc, prefix, {
      channel: 'rocketchat',
      version: '0.9.0',
      configSchema: z.object({ room: z.string().default('general') }),
    });
    const rows = await waitFor(
      () => db.query<{ version: string }>("select version from gateway.channel_registrations where channel = 'rocketchat'"),
      (found) => found.length === 1,
      10_000,
    );
    expect(rows).toEqual([{ version: '0.9.0' }]);
    await registration.stop();
    const view = await admin.expect<Record<string, unknown>>(200, 'GET', '/channels/rocketchat/config');
    expect(view).toMatchObject({ configured: false, settings: { room: 'general' } });
    await admin.expect(200, 'PUT', '/channels/rocketchat/config', { enabled: true, settings: { room: 'ops' } });
    const listed = await admin.expect<{ items: Array<{ name: string }> }>(200, 'GET', '/channels');
    expect(listed.items.find((c) => c.name === 'rocketchat')).toMatchObject({ registered: true, live: false, configured: true });
  });

  it('lists the built-in channels with their state', async () => {
    const list = await admin.expect<{ items: Array<{ name: string; enabled: boolean; builtin: boolean }> }>(200, 'GET', '/channels');
    expect(list.items.map((c) => c.name)).toEqual(expect.arrayContaining(['alert', 'mail', 'slack', 'msteams', 'webhooks']));
    expect(list.items.find((c) => c.name === 'alert')?.enabled).toBe(true);
    expect(list.items.find((c) => c.name === 'slack')?.enabled).toBe(true);
    expect(list.items.find((c) => c.name === 'slack')).toMatchObject({
      builtin: true,
      configured: true,
      config_valid: true,
      config_errors: [],
      registered: true,
      live: true,
    });
    expect(list.items.find((c) => c.name === 'msteams')).toMatchObject({ configured: false, config_valid: null, registered: true });
  });
});

describe('directory events, statuses and dead letters', () => {
  it('applies herald.directory events idempotently', async () => {
    const event = {
      specversion: '1.0',
      id: 'dir-1',
      source: 'defectdojo',
      type: 'user_upserted',
      data: { id: 'u7', username: 'gus', email: 'gus@example.com' },
    };
    await js.publish(topo.subjects.directory('user', 'upserted'), JSON.stringify(event));
    await js.publish(topo.subjects.directory('user', 'upserted'), JSON.stringify({ ...event, id: 'dir-2' }));
    const user = await waitFor(
      () => admin.get<{ username: string }>('/users/u7'),
      (r) => r.status === 200,
    );
    expect(user.body.username).toBe('gus');
    await js.publish(topo.subjects.directory('user', 'deleted'), JSON.stringify({ ...event, id: 'dir-3', data: { id: 'u7' } }));
    const gone = await waitFor(
      () => admin.get('/users/u7'),
      (r) => r.status === 404,
    );
    expect(gone.status).toBe(404);
  });

  it('records delivery statuses from plugins', async () => {
    await admin.expect(200, 'PATCH', '/users/u1/settings', { events: { code_review: ['alert'] } });
    const accepted = await admin.expect<{ id: string }>(202, 'POST', '/events', {
      specversion: '1.0',
      id: 'cr-1',
      source: 'test',
      type: 'code_review',
      data: { recipients: ['ann'] },
    });
    expect(accepted.id).toBe('cr-1');
    await waitFor(
      () => admin.get<{ items: unknown[] }>('/deliveries?event_id=cr-1'),
      (r) => r.body.items.length === 1,
    );
    const status: DeliveryStatus = {
      delivery_id: 'test:cr-1:alert:user-u1',
      event_id: 'cr-1',
      channel: 'alert',
      destination: { scope: 'personal', user: { id: 'u1', username: 'ann', email: 'ann@example.com', full_name: '' } },
      outcome: 'delivered',
      attempt: 1,
      at: new Date().toISOString(),
    };
    await js.publish(topo.subjects.status('alert'), JSON.stringify(status));
    const page = await waitFor(
      () => admin.get<{ items: Array<{ outcome: string; attempt: number }> }>('/deliveries?event_id=cr-1'),
      (r) => r.body.items[0]?.outcome === 'delivered',
    );
    expect(page.body.items).toEqual([
      expect.objectContaining({ delivery_id: 'test:cr-1:alert:user-u1', outcome: 'delivered', attempt: 1, user_id: 'u1' }),
    ]);
  });

  it('applies a batch of statuses (one report, several deliveries) and dead-letters a bad batch naming the member and field', async () => {
    await js.publish(
      topo.subjects.event('code_review'),
      JSON.stringify({ specversion: '1.0', id: 'cr-batch', source: 'test', type: 'code_review', data: { recipients: ['ann', 'ben'] } }),
    );
    const published = await waitFor(
      () =>
        admin.get<{ items: Array<{ delivery_id: string; destination: DeliveryStatus['destination'] }> }>('/deliveries?event_id=cr-batch'),
      (r) => r.body.items.length === 2,
    );
    const at = new Date().toISOString();
    const statuses: DeliveryStatus[] = published.body.items.map((item, index) => ({
      delivery_id: item.delivery_id,
      event_id: 'cr-batch',
      channel: 'alert',
      destination: item.destination,
      ...(index === 0 ? { outcome: 'delivered' as const } : { outcome: 'dropped' as const, detail: 'user has no alert inbox (test)' }),
      attempt: 1,
      at,
    }));
    await js.publish(topo.subjects.status('alert'), JSON.stringify({ statuses }));
    const page = await waitFor(
      () => admin.get<{ items: Array<{ delivery_id: string; outcome: string }> }>('/deliveries?event_id=cr-batch'),
      (r) => r.body.items.every((item) => item.outcome !== 'published'),
    );
    expect(page.body.items.map((item) => [item.delivery_id, item.outcome]).sort()).toEqual(
      statuses.map((status) => [status.delivery_id, status.outcome]).sort(),
    );

    const { detail: _detail, ...withoutDetail } = statuses[1] as Extract<DeliveryStatus, { outcome: 'dropped' }>;
    await js.publish(topo.subjects.status('alert'), JSON.stringify({ statuses: [statuses[0], withoutDetail] }));
    const letters = await waitFor(
      () => admin.get<{ items: Array<{ reason: string; subject: string }> }>('/dead-letters?stage=ingest'),
      (r) => r.body.items.some((item) => item.subject === topo.subjects.status('alert')),
    );
    expect(letters.body.items.filter((item) => item.subject === topo.subjects.status('alert')).map((item) => item.reason)).toEqual([
      expect.stringMatching(/^invalid delivery status: statuses\[1\]\.detail: /),
    ]);
  });

  it('alerts every superuser once per channel and hour when a system-scope delivery fails', async () => {
    await admin.expect(201, 'PUT', '/users/su1', { username: 'root', email: 'root@example.com', superuser: true });
    await admin.expect(201, 'PUT', '/users/su2', { username: 'root2', email: 'root2@example.com', superuser: true });
    const failed = (n: number): DeliveryStatus =>
      deliveryStatusFixture(n, {
        delivery_id: `ev-${n}:slack:system`,
        channel: 'slack',
        outcome: 'failed',
        attempt: 8,
        at: new Date().toISOString(),
        detail: 'channel_not_found',
      });
    for (const n of [1, 2, 3]) await js.publish(topo.subjects.status('slack'), JSON.stringify(failed(n)));
    const alerts = async () =>
      (await readStream(nc, topo.streams.deliver.name, topo.subjects.deliver('alert')))
        .map((m) => m.json<ChannelMessage>())
        .filter((m) => m.event.id.startsWith('failure:slack:'));
    const found = await waitFor(alerts, (list) => list.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await alerts()).length).toBe(2);
    expect(found.map((m) => (m.destination.scope === 'personal' ? m.destination.user.username : 'system')).sort()).toEqual([
      'root',
      'root2',
    ]);
    expect(found[0]!.event_label).toBe('Slack Notification');
    expect(found[0]!.event.data.description).toContain('channel_not_found');
  });

  it('lists an invalid event as a dead letter and replays it', async () => {
    await js.publish(
      topo.subjects.event('scan_added'),
      JSON.stringify({ specversion: '1.0', id: 'bad-1', source: 'test', type: 'scan_added', data: { no_users: 'yes' } }),
    );
    const list = await waitFor(
      () => admin.get<{ items: Array<{ id: string; reason: string; event_id: string | null }> }>('/dead-letters?stage=ingest'),
      (r) => r.body.items.some((l) => l.event_id === 'bad-1'),
    );
    const letter = list.body.items.find((l) => l.event_id === 'bad-1')!;
    expect(letter.reason).toContain('data.no_users');
    const replay = await admin.expect<{ replayed_to: string }>(202, 'POST', `/dead-letters/${letter.id}/replay`);
    expect(replay.replayed_to).toBe(topo.subjects.event('scan_added'));
    const again = await waitFor(
      () => admin.get<{ items: Array<{ event_id: string | null }> }>('/dead-letters?stage=ingest'),
      (r) => r.body.items.filter((l) => l.event_id === 'bad-1').length === 2,
    );
    expect(again.body.items.filter((l) => l.event_id === 'bad-1')).toHaveLength(2);
  });
});

describe('documentation and operations', () => {
  it('serves the OpenAPI document and Prometheus metrics', async () => {
    const doc = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/settings/system', '/api/v1/users/{id}/settings', '/api/v1/events']),
    );
    const counter = (text: string, name: string): number => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    const before = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'herald_events_received_total',
      'herald_events_invalid_total',
      'herald_events_routed_total',
      'herald_events_duplicate_total',
    ]) {
      expect(Number.isFinite(counter(before, name))).toBe(true);
    }
    await js.publish(
      topo.subjects.event('code_review'),
      JSON.stringify({ specversion: '1.0', id: 'm-1', source: 'test', type: 'code_review', data: { recipients: ['ann'] } }),
    );
    await js.publish(
      topo.subjects.event('code_review'),
      JSON.stringify({ specversion: '1.0', id: 'm-1', source: 'test', type: 'code_review', data: { recipients: ['ann'] } }),
    );
    await js.publish(topo.subjects.event('code_review'), '{ not json');
    const after = await waitFor(
      async () => (await fetch(`${base}/metrics`)).text(),
      (text) =>
        counter(text, 'herald_events_received_total') >= counter(before, 'herald_events_received_total') + 3 &&
        counter(text, 'herald_events_routed_total') > counter(before, 'herald_events_routed_total') &&
        counter(text, 'herald_events_duplicate_total') > counter(before, 'herald_events_duplicate_total'),
    );
    expect(counter(after, 'herald_events_received_total') - counter(before, 'herald_events_received_total')).toBe(3);
    expect(counter(after, 'herald_events_invalid_total') - counter(before, 'herald_events_invalid_total')).toBe(1);
    expect(counter(after, 'herald_events_duplicate_total') - counter(before, 'herald_events_duplicate_total')).toBe(1);
    expect(counter(after, 'herald_events_routed_total') - counter(before, 'herald_events_routed_total')).toBe(1);
    expect(after).toMatch(/herald_deliveries_published_total\{channel="alert"\} \d+/);
    expect(after).toMatch(/herald_routing_seconds_bucket/);
    expect(after).toMatch(/herald_consumer_pending\{consumer="gateway"\} \d+/);
  });
});
