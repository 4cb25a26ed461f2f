/**
 * Routing end to end through real NATS JetStream and PostgreSQL: a directory and settings seeded
 * through the API; events published to `herald.events.*` produce exactly the expected channel
 * messages on `herald.deliver.*`; decisions are readable through the API; with two gateways, a
 * settings change through one applies to the next events routed by the other. The gateways
 * stream every event with more than two candidates (`HERALD_ROUTING_CHUNK=2`): routed, published
 * and stored two candidates at a time, as a 100 000-user broadcast is 5 000 at a time, so the
 * exact messages and decisions below are those of a streamed broadcast.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jsonLogger, topology, type ChannelMessage } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { registerBuiltinChannels } from './support/builtin-registrations.js';
import { TEST_ADMIN_TOKEN, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('routing');
const topo = topology({ prefix });
let nc: NatsConnection;
let js: JetStreamClient;
let db: TestDatabase;
// The built-in plugins are not run here: their registrations are, as the plugins write them.
let registrations: { stop(): Promise<void> } | undefined;
let a: RunningGateway;
let b: RunningGateway;
let apiA: ApiClient;
let apiB: ApiClient;
const routedBy = { a: [] as string[], b: [] as string[] };

function capture(into: string[]) {
  return jsonLogger({
    level: 'info',
    write: (line) => {
      const entry = JSON.parse(line) as { msg: string; event_id?: string };
      if (entry.msg === 'event routed' && entry.event_id) into.push(entry.event_id);
    },
  });
}

async function deliveriesFor(eventId: string): Promise<Array<{ subject: string; id: string; message: ChannelMessage }>> {
  const stored = await readStream(nc, topo.streams.deliver.name);
  return stored
    .map((m) => ({ subject: m.subject, id: m.headers['Nats-Msg-Id'] ?? '', message: m.json<ChannelMessage>() }))
    .filter((d) => d.message.event.id === eventId);
}

async function publishAndWait(event: Record<string, unknown> & { id: string; type: string }): Promise<void> {
  await js.publish(topo.subjects.event(event.type), JSON.stringify({ specversion: '1.0', source: 'test', ...event }), { msgID: event.id });
  await waitFor(
    () => [...routedBy.a, ...routedBy.b],
    (ids) => ids.includes(event.id),
    10_000,
  );
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  const config = testGatewayConfig(url, prefix, db.url, { HERALD_SITE_URL: 'https://herald.example', HERALD_ROUTING_CHUNK: '2' });
  registrations = await registerBuiltinChannels(nc, prefix);
  a = await startGateway({ config, logger: capture(routedBy.a) });
  b = await startGateway({ config, logger: capture(routedBy.b) });
  apiA = new ApiClient(`http://127.0.0.1:${a.port}/api/v1`, TEST_ADMIN_TOKEN);
  apiB = new ApiClient(`http://127.0.0.1:${b.port}/api/v1`, TEST_ADMIN_TOKEN);

  // Directory: product type 1 → product 7; bob member of product 7, dana member of the product
  // type, erin with a global role, carol no access; root is a superuser.
  await apiA.expect(201, 'PUT', '/product-types/1', { name: 'Apps' });
  await apiA.expect(201, 'PUT', '/products/7', { name: 'Web', product_type_id: '1' });
  for (const [id, username, extra] of [
    ['1', 'root', { superuser: true }],
    ['2', 'bob', {}],
    ['3', 'carol', {}],
    ['4', 'dana', {}],
    ['5', 'erin', { global_role: 'Reader' }],
  ] as const) {
    await apiA.expect(201, 'PUT', `/users/${id}`, {
      username,
      email: `${username}@example.com`,
      full_name: username.toUpperCase(),
      ...extra,
    });
  }
  await apiA.expect(200, 'PUT', '/products/7/members/2', { role: 'Writer' });
  await apiA.expect(200, 'PUT', '/product-types/1/members/4', {});

  // Channels: mail enabled with one system address that is also bob's; slack enabled.
  await apiA.expect(200, 'PUT', '/channels/mail/config', {
    enabled: true,
    settings: { mail_notifications_to: 'ops@example.com, bob@example.com' },
  });
  await apiA.expect(200, 'PUT', '/channels/slack/config', { enabled: true, settings: { token: 'xoxb-test', channel: '#herald' } });

  // Settings: system sends scan_added by mail; everyone but root subscribes by alert + mail; root,
  // a superuser, inherits the system row and so gets a personal mail.
  await apiA.expect(200, 'PATCH', '/settings/system', { events: { scan_added: ['mail'] } });
  for (const id of ['2', '3', '4', '5'])
    await apiA.expect(200, 'PATCH', `/users/${id}/settings`, { events: { scan_added: ['alert', 'mail'] } });
  await apiA.expect(200, 'PATCH', '/users/1/settings', { events: { scan_added: [] } });
});

afterAll(async () => {
  await registrations?.stop();
  await a?.close();
  await b?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('routing through NATS', () => {
  it('publishes exactly the expected channel messages for a product-scoped broadcast', async () => {
    await publishAndWait({ id: 'scan-1', type: 'scan_added', data: { product: { id: '7', name: 'Web' }, finding_count: 2 } });
    const got = await deliveriesFor('scan-1');
    const summary = got
      .map((d) => `${d.subject} ${d.id} ${d.message.destination.scope === 'system' ? 'system' : d.message.destination.user.username}`)
      .sort();
    const deliver = (channel: string) => topo.subjects.deliver(channel);
    expect(summary).toEqual(
      [
        `${deliver('alert')} test:scan-1:alert:user-2 bob`,
        `${deliver('alert')} test:scan-1:alert:user-4 dana`,
        `${deliver('alert')} test:scan-1:alert:user-5 erin`,
        `${deliver('mail')} test:scan-1:mail:system system`,
        `${deliver('mail')} test:scan-1:mail:user-1 root`,
        `${deliver('mail')} test:scan-1:mail:user-4 dana`,
        `${deliver('mail')} test:scan-1:mail:user-5 erin`,
      ].sort(),
    );
    const bobAlert = got.find((d) => d.id === 'test:scan-1:alert:user-2')!.message;
    expect(bobAlert).toMatchObject({
      delivery_id: 'test:scan-1:alert:user-2',
      channel: 'alert',
      site_url: 'https://herald.example',
      event_label: 'Scan Added',
      destination: { scope: 'personal', user: { id: '2', username: 'bob', email: 'bob@example.com', full_name: 'BOB' } },
      event: { id: 'scan-1', type: 'scan_added', data: { finding_count: 2, title: 'Scan Added' } },
    });
  });

  it('serves the decisions, with the reason carol got nothing', async () => {
    const decisions = await apiB.expect<{ event_id: string; column: string; decisions: Array<Record<string, unknown>> }>(
      200,
      'GET',
      '/events/scan-1/decisions',
    );
    expect(decisions.event_id).toBe('scan-1');
    expect(decisions.column).toBe('scan_added');
    const carol = decisions.decisions.find((d) => d['username'] === 'carol');
    expect(carol).toMatchObject({ scope: 'user', channels: [], reason: 'no access to product 7' });
    const bob = decisions.decisions.find((d) => d['username'] === 'bob');
    expect(bob?.['channels']).toEqual(['alert']);
    expect(JSON.stringify(bob?.['skipped'])).toContain('already receives the system mail at bob@example.com');
    // every decision once, in routing order: the system pass, the personal subscribers, the superuser
    expect(decisions.decisions.map((d) => (d['scope'] === 'system' ? 'system' : d['username']))).toEqual([
      'system',
      'bob',
      'carol',
      'dana',
      'erin',
      'root',
    ]);
    // streamed: stored as three parts of two decisions, the event marked routed after the last
    const parts = await db.query<{ part: number; n: number }>(
      `select part, jsonb_array_length(decisions) as n from gateway.event_decision_parts where source = 'test' and event_id = 'scan-1' order by part`,
    );
    expect(parts).toEqual([
      { part: 0, n: 2 },
      { part: 1, n: 2 },
      { part: 2, n: 2 },
    ]);
    expect(await db.query(`select parts from gateway.event_decisions where source = 'test' and event_id = 'scan-1'`)).toEqual([
      { parts: 3 },
    ]);
  });

  it('lists the published deliveries with filters', async () => {
    const page = await apiA.expect<{ items: Array<{ delivery_id: string; outcome: string }>; next_cursor: string | null }>(
      200,
      'GET',
      '/deliveries?event_id=scan-1&channel=mail',
    );
    expect(page.items.map((d) => d.delivery_id).sort()).toEqual([
      'test:scan-1:mail:system',
      'test:scan-1:mail:user-1',
      'test:scan-1:mail:user-4',
      'test:scan-1:mail:user-5',
    ]);
    expect(page.items.every((d) => d.outcome === 'published')).toBe(true);
    expect(page.next_cursor).toBeNull();
  });

  it('routes by recipients with the system-level trump', async () => {
    await apiA.expect(200, 'PATCH', '/settings/system', { events: { user_mentioned: ['slack'] } });
    await apiA.expect(200, 'PATCH', '/users/3/settings', { events: { user_mentioned: ['mail'] } });
    await publishAndWait({ id: 'mention-1', type: 'user_mentioned', data: { recipients: ['carol', 'nobody'] } });
    const got = (await deliveriesFor('mention-1')).map((d) => d.id).sort();
    expect(got).toEqual(['test:mention-1:mail:user-3', 'test:mention-1:slack:user-3']);
    const decisions = await apiA.expect<{ decisions: Array<Record<string, unknown>> }>(200, 'GET', '/events/mention-1/decisions');
    expect(decisions.decisions).toContainEqual({ scope: 'recipient', username: 'nobody', reason: 'unknown username nobody' });
  });

  it('applies a settings change made through one gateway to events routed by the other', async () => {
    for (let i = 0; i < 6; i++) await publishAndWait({ id: `warm-${i}`, type: 'test_added', data: { product: { id: '7', name: 'Web' } } });
    expect(routedBy.a.length).toBeGreaterThan(0);
    expect(routedBy.b.length).toBeGreaterThan(0);

    await apiA.expect(200, 'PATCH', '/users/2/settings', { events: { test_added: ['slack'] } });
    const ids = Array.from({ length: 8 }, (_, i) => `after-${i}`);
    for (const id of ids) await publishAndWait({ id, type: 'test_added', data: { product: { id: '7', name: 'Web' } } });
    for (const id of ids) {
      expect((await deliveriesFor(id)).map((d) => d.id)).toContain(`test:${id}:slack:user-2`);
    }
    expect(ids.some((id) => routedBy.b.includes(id))).toBe(true);
  });
});
