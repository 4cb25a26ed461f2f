/**
 * Simulation (SPEC §3.6) against a running gateway on real NATS JetStream and PostgreSQL: what
 * `POST /api/v1/events/simulate` (and `herald simulate`) answers is exactly what a real publish of
 * the same event then delivers; the simulation itself publishes and records nothing; filters show
 * in the decisions; a user token sees only its own part.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jsonLogger, topology, type ChannelMessage } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { main as cli } from '../cli/src/herald.js';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import type { SimulationResult } from '../gateway/src/simulation/restrict.js';
import { ApiClient } from './support/api-client.js';
import { registerBuiltinChannels } from './support/builtin-registrations.js';
import { TEST_ADMIN_TOKEN, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('simulate');
const topo = topology({ prefix });
let registrations: { stop(): Promise<void> } | undefined;
let nc: NatsConnection;
let js: JetStreamClient;
let db: TestDatabase;
let gateway: RunningGateway;
let api: ApiClient;
let bobToken: string;
const routed: string[] = [];

interface ErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; message: string }> };
}

function event(id: string, data: Record<string, unknown>, type = 'scan_added') {
  return { specversion: '1.0', id, source: 'test', type, data };
}

/** The delivery ids JetStream holds for one event. */
async function delivered(eventId: string): Promise<string[]> {
  const stored = await readStream(nc, topo.streams.deliver.name);
  return stored
    .filter((m) => m.json<ChannelMessage>().event.id === eventId)
    .map((m) => m.headers['Nats-Msg-Id'] ?? '')
    .sort();
}

async function publishAndWait(e: ReturnType<typeof event>): Promise<void> {
  await js.publish(topo.subjects.event(e.type), JSON.stringify(e), { msgID: e.id });
  await waitFor(
    () => routed,
    (ids) => ids.includes(e.id),
    10_000,
  );
}

/** `herald simulate …` against the running gateway; the parsed JSON it printed. */
async function simulateWithCli(args: string[], token = TEST_ADMIN_TOKEN): Promise<SimulationResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(
    ['simulate', ...args],
    { HERALD_URL: `http://127.0.0.1:${gateway.port}`, HERALD_TOKEN: token },
    (l) => out.push(l),
    (l) => err.push(l),
  );
  expect({ code, err }).toEqual({ code: 0, err: [] });
  return JSON.parse(out.join('\n')) as SimulationResult;
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  // The built-in plugins are not run here: their registrations are, as the plugins write them.
  registrations = await registerBuiltinChannels(nc, prefix);
  gateway = await startGateway({
    config: testGatewayConfig(url, prefix, db.url),
    logger: jsonLogger({
      level: 'info',
      write: (line) => {
        const entry = JSON.parse(line) as { msg: string; event_id?: string };
        if (entry.msg === 'event routed' && entry.event_id) routed.push(entry.event_id);
      },
    }),
  });
  api = new ApiClient(`http://127.0.0.1:${gateway.port}/api/v1`, TEST_ADMIN_TOKEN);

  // product type 1 → product 7, product type 2 → product 8; bob and carol members of both
  // products, root a superuser.
  await api.expect(201, 'PUT', '/product-types/1', { name: 'Apps' });
  await api.expect(201, 'PUT', '/product-types/2', { name: 'Infra' });
  await api.expect(201, 'PUT', '/products/7', { name: 'Web', product_type_id: '1' });
  await api.expect(201, 'PUT', '/products/8', { name: 'Cluster', product_type_id: '2' });
  for (const [id, username, extra] of [
    ['1', 'root', { superuser: true }],
    ['2', 'bob', {}],
    ['3', 'carol', {}],
  ] as const) {
    await api.expect(201, 'PUT', `/users/${id}`, { username, email: `${username}@example.com`, full_name: username, ...extra });
  }
  for (const product of ['7', '8']) for (const user of ['2', '3']) await api.expect(200, 'PUT', `/products/${product}/members/${user}`, {});
  await api.expect(200, 'PUT', '/channels/slack/config', { enabled: true, settings: { token: 'xoxb-test', channel: '#herald' } });

  // system: slack for High and above; bob: alert + slack for product type 1 only; carol: alert,
  // and slack from her product row for product 7 when tagged pci; root: nothing personal.
  await api.expect(200, 'PUT', '/settings/system', {
    events: { scan_added: ['slack'] },
    filters: { scan_added: { min_severity: 'High' } },
  });
  await api.expect(200, 'PATCH', '/users/1/settings', { events: { scan_added: [] } });
  await api.expect(200, 'PATCH', '/users/2/settings', {
    events: { scan_added: ['alert', 'slack'] },
    filters: { scan_added: { product_types: ['1'] } },
  });
  await api.expect(200, 'PATCH', '/users/3/settings', { events: { scan_added: ['alert'] } });
  await api.expect(200, 'PUT', '/users/3/settings/products/7', {
    events: { scan_added: ['slack'] },
    filters: { scan_added: { tags_any: ['pci'] } },
  });
  bobToken = (await api.expect<{ token: string }>(201, 'POST', '/tokens', { user_id: '2' })).token;
});

afterAll(async () => {
  await gateway?.close();
  await registrations?.stop();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('POST /events/simulate', () => {
  const cases = [
    { id: 'sim-1', data: { product: { id: '7', name: 'Web' }, severity: 'Critical', tags: ['pci'] } },
    { id: 'sim-2', data: { product: { id: '7', name: 'Web' }, severity: 'Low' } },
    { id: 'sim-3', data: { product: { id: '8', name: 'Cluster' }, severity: 'High', tags: ['gdpr'] } },
    { id: 'sim-4', data: { finding: { id: '9', name: 'XSS', severity: 'Info' } } },
  ];

  it.each(cases)('$id: the simulated delivery set is what a real publish then delivers', async ({ id, data }) => {
    const simulated = await api.expect<SimulationResult>(200, 'POST', '/events/simulate', { event: event(id, data) });
    const ids = simulated.deliveries.map((d) => d.delivery_id).sort();

    // the simulation published nothing and recorded nothing
    expect(await delivered(id)).toEqual([]);
    expect((await api.request('GET', `/events/${id}/decisions`)).status).toBe(404);

    await publishAndWait(event(id, data));
    expect(await delivered(id)).toEqual(ids);
    const recorded = await api.expect<{ decisions: unknown }>(200, 'GET', `/events/${id}/decisions`);
    expect(recorded.decisions).toEqual(simulated.decisions);
  });

  it('shows each filter in the decisions', async () => {
    const simulated = await api.expect<SimulationResult>(200, 'POST', '/events/simulate', {
      event: event('sim-f', { product: { id: '8', name: 'Cluster' }, severity: 'Medium' }),
    });
    expect(simulated.deliveries.map((d) => d.delivery_id).sort()).toEqual(['test:sim-f:alert:user-3']);
    expect(simulated.decisions).toEqual([
      { scope: 'system', channels: [], alert_user_ids: [], skipped: [{ channel: 'slack', reason: 'severity Medium is below High' }] },
      {
        scope: 'user',
        user_id: '2',
        username: 'bob',
        channels: [],
        merged_from: [],
        skipped: [
          { channel: 'alert', reason: 'personal filter: product type 2 is not in [1]' },
          { channel: 'slack', reason: 'personal filter: product type 2 is not in [1]' },
        ],
        filtered: [{ row: 'personal', channels: ['alert', 'slack'], reason: 'product type 2 is not in [1]' }],
        reason: 'every channel was filtered out by the settings filters',
      },
      { scope: 'user', user_id: '3', username: 'carol', channels: ['alert'], merged_from: ['personal'], skipped: [] },
      {
        scope: 'user',
        user_id: '1',
        username: 'root',
        channels: [],
        merged_from: [],
        skipped: [{ channel: 'slack', reason: 'system filter: severity Medium is below High' }],
        filtered: [{ row: 'system', channels: ['slack'], reason: 'severity Medium is below High' }],
        reason: 'every channel was filtered out by the settings filters',
      },
    ]);
  });

  it('herald simulate prints the same result, and --user restricts it to one user', async () => {
    const data = { severity: 'Critical', tags: ['pci'] };
    const all = await simulateWithCli(['scan_added', '--data', JSON.stringify(data), '--product', '7', '--id', 'sim-cli']);
    const direct = await api.expect<SimulationResult>(200, 'POST', '/events/simulate', {
      event: { ...event('sim-cli', { ...data, product: { id: '7', name: '7' } }), source: 'cli' },
    });
    expect({ ...all, simulated_at: '' }).toEqual({ ...direct, simulated_at: '' });
    expect(all.deliveries.map((d) => d.delivery_id).sort()).toEqual([
      'cli:sim-cli:alert:user-2',
      'cli:sim-cli:alert:user-3',
      'cli:sim-cli:slack:system',
      'cli:sim-cli:slack:user-1',
      'cli:sim-cli:slack:user-2',
      'cli:sim-cli:slack:user-3',
    ]);

    const carol = await simulateWithCli([
      'scan_added',
      '--data',
      JSON.stringify(data),
      '--product',
      '7',
      '--id',
      'sim-cli',
      '--user',
      'carol',
    ]);
    expect(carol.user).toEqual({ id: '3', username: 'carol' });
    expect(carol.candidate).toBe(true);
    expect(carol.deliveries.map((d) => d.delivery_id).sort()).toEqual(['cli:sim-cli:alert:user-3', 'cli:sim-cli:slack:user-3']);
    expect(carol.decisions).toEqual([
      { scope: 'user', user_id: '3', username: 'carol', channels: ['alert', 'slack'], merged_from: ['personal', 'product'], skipped: [] },
    ]);
  });

  it('a user token sees only its own deliveries and decision, and cannot simulate for another user', async () => {
    const data = { product: { id: '7', name: 'Web' }, severity: 'Critical' };
    const own = await api.withToken(bobToken).expect<SimulationResult>(200, 'POST', '/events/simulate', { event: event('sim-u', data) });
    expect(own.user).toEqual({ id: '2', username: 'bob' });
    expect(own.deliveries.map((d) => d.delivery_id).sort()).toEqual(['test:sim-u:alert:user-2', 'test:sim-u:slack:user-2']);
    expect(own.decisions.map((d) => d.scope === 'user' && d.username)).toEqual(['bob']);

    const other = await api
      .withToken(bobToken)
      .expect<ErrorBody>(403, 'POST', '/events/simulate', { event: event('sim-u', data), username: 'carol' });
    expect(other.error.message).toContain('can only simulate for its own user (bob)');
  });

  it('validates the event like ingest, naming each field, and unknown users', async () => {
    const bad = await api.expect<ErrorBody>(400, 'POST', '/events/simulate', {
      event: { ...event('sim-bad', { severity: 'severe', tags: 'pci', recipients: [{ username: 'bob' }] }) },
    });
    expect(bad.error.code).toBe('validation_failed');
    expect(bad.error.details.map((d) => d.path).sort()).toEqual(['event.data.recipients[0]', 'event.data.severity', 'event.data.tags']);
    expect(bad.error.details.find((d) => d.path === 'event.data.severity')?.message).toBe(
      'must be one of Critical, High, Medium, Low, Info (case-sensitive)',
    );

    const missing = await api.expect<ErrorBody>(400, 'POST', '/events/simulate', { username: 'bob' });
    expect(missing.error.details).toEqual([{ path: 'event', message: 'is required (the event to simulate)' }]);

    const unknown = await api.expect<ErrorBody>(404, 'POST', '/events/simulate', { event: event('sim-x', {}), username: 'ghost' });
    expect(unknown.error.message).toContain('No user with username "ghost"');
  });
});
