/**
 * Bad input through the production wiring (gateway with its real routing, the alert and webhooks
 * plugins run by `runPlugin` with their HTTP servers, real NATS JetStream and PostgreSQL): every
 * case gets a specific answer, and nothing that can never succeed is retried.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { runPlugin, silentLogger, topology, type DeadLetter, type RunningPlugin } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { openAlertDatabase, openAlertPlugin, type OpenedAlertPlugin } from '@herald/plugin-alert';
import { DEFAULT_WEBHOOKS_CONFIG, openWebhooksDatabase, openWebhooksPlugin, type OpenedWebhooksPlugin } from '@herald/plugin-webhooks';
import type pg from 'pg';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('badin');
const topo = topology({ prefix });
let nc: NatsConnection;
let js: JetStreamClient;
let db: TestDatabase;
let gateway: RunningGateway;
let admin: ApiClient;
let alertPool: pg.Pool;
let webhooksPool: pg.Pool;
let alert: OpenedAlertPlugin;
let webhooks: OpenedWebhooksPlugin;
let alertRunning: RunningPlugin;
let webhooksRunning: RunningPlugin;
let alertApi: string;
let webhooksApi: string;
let seq = 0;

interface ErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; message: string; expected?: string }> };
}

const event = (over: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: `bad-${++seq}`,
  source: 'test',
  type: 'scan_added',
  data: { product: { id: 'p1', name: 'Web' } },
  ...over,
});

async function deadEvents(): Promise<DeadLetter[]> {
  return (await readStream(nc, topo.streams.dead.name, topo.subjects.deadEvents)).map((m) => m.json<DeadLetter>());
}

/** Publishes raw bytes to a subject and waits for the dead letter of that stream sequence. */
async function publishAndAwaitDeadLetter(subject: string, payload: string | Uint8Array): Promise<{ letter: DeadLetter; ms: number }> {
  const started = Date.now();
  const ack = await js.publish(subject, payload);
  const letters = await waitFor(deadEvents, (all) => all.some((l) => l.stream_seq === ack.seq), 8_000);
  return { letter: letters.find((l) => l.stream_seq === ack.seq)!, ms: Date.now() - started };
}

async function raw(
  method: string,
  url: string,
  body: string | undefined,
  contentType?: string,
): Promise<{ status: number; body: ErrorBody }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(contentType ? { 'content-type': contentType } : {}) },
    body: body ?? null,
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as ErrorBody };
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  gateway = await startGateway({
    config: testGatewayConfig(url, prefix, db.url, { HERALD_EXTRA_EVENT_SUBJECTS: `${prefix}_legacy.>` }),
    logger: silentLogger,
  });
  admin = new ApiClient(`http://127.0.0.1:${gateway.port}/api/v1`, TEST_ADMIN_TOKEN);
  alertPool = openAlertDatabase({ databaseUrl: db.url, dataDir: '.herald' });
  webhooksPool = openWebhooksDatabase({ databaseUrl: db.url, dataDir: '.herald' });
  alert = await openAlertPlugin({ pool: alertPool, nc, prefix, logger: silentLogger });
  webhooks = await openWebhooksPlugin({
    pool: webhooksPool,
    nc,
    prefix,
    logger: silentLogger,
    secretKey: TEST_SECRET_KEY,
    siteUrl: 'http://localhost',
  });
  const common = { connection: nc, prefix, logger: silentLogger, secretKey: TEST_SECRET_KEY, httpPort: 0, httpHost: '127.0.0.1' };
  alertRunning = await runPlugin(alert.plugin, { ...common, config: {} });
  webhooksRunning = await runPlugin(webhooks.plugin, { ...common, config: DEFAULT_WEBHOOKS_CONFIG });
  alertApi = `http://127.0.0.1:${alertRunning.httpPort}/api/v1`;
  webhooksApi = `http://127.0.0.1:${webhooksRunning.httpPort}/api/v1`;
  // A superuser: every scan_added event becomes one alert for them (system row default: alert).
  await admin.expect(201, 'PUT', '/users/root', { username: 'root', email: 'root@example.com', superuser: true });
  await admin.expect(201, 'PUT', '/product-types/pt1', { name: 'Apps' });
  await admin.expect(201, 'PUT', '/products/p1', { name: 'Web', product_type_id: 'pt1' });
}, 60_000);

afterAll(async () => {
  await alertRunning?.stop();
  await webhooksRunning?.stop();
  alert?.close();
  webhooks?.close();
  await gateway?.close();
  await alertPool?.end();
  await webhooksPool?.end();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('events that can never be routed are dead-lettered at once, not retried', () => {
  it('a 10 000-level nested array is dead-lettered within seconds on its first delivery, naming where the depth limit was passed', async () => {
    const deep = `{"specversion":"1.0","id":"deep-1","source":"test","type":"scan_added","data":{"nested":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const { letter, ms } = await publishAndAwaitDeadLetter(topo.subjects.event('scan_added'), deep);
    expect(ms).toBeLessThan(5_000);
    expect(letter.deliveries).toBe(1);
    expect(letter.event_id).toBe('deep-1');
    expect(letter.issues).toEqual([
      expect.objectContaining({ path: `data.nested${'[0]'.repeat(30)}`, message: 'is nested more than 32 levels deep' }),
    ]);
  });

  it('\\u0000 in a string is refused at validation, naming the field, and never reaches PostgreSQL', async () => {
    const { letter } = await publishAndAwaitDeadLetter(
      topo.subjects.event('scan_added'),
      JSON.stringify(event({ data: { title: 'a\u0000b' } })),
    );
    expect(letter.deliveries).toBe(1);
    expect(letter.issues).toEqual([expect.objectContaining({ path: 'data.title', message: expect.stringMatching(/NUL character/) })]);
  });

  it("an event whose type differs from its subject's last token is dead-lettered with that reason", async () => {
    const e = event({ type: 'scan_added' });
    const { letter } = await publishAndAwaitDeadLetter(topo.subjects.event('user_mentioned'), JSON.stringify(e));
    expect(letter.deliveries).toBe(1);
    expect(letter.event_id).toBe(e.id);
    expect(letter.issues).toEqual([
      {
        path: 'type',
        message: `is "scan_added" but the event was published to ${topo.subjects.event('user_mentioned')}, whose last token is "user_mentioned"`,
        expected: `publish a "scan_added" event to <prefix>.events.scan_added`,
      },
    ]);
    const decisions = await admin.get(`/events/${e.id}/decisions`);
    expect(decisions.status).toBe(404);
  });

  it('an event on an extra subject (HERALD_EXTRA_EVENT_SUBJECTS) is routed whatever its last token: only <prefix>.events.* names the type', async () => {
    const e = event({ id: 'legacy-1', type: 'scan_added' });
    await js.publish(`${prefix}_legacy.notify`, JSON.stringify(e));
    const decided = await waitFor(
      () => admin.get<{ event_id: string; type: string }>(`/events/${e.id}/decisions`),
      (r) => r.status === 200,
      10_000,
    );
    expect([decided.body.event_id, decided.body.type]).toEqual(['legacy-1', 'scan_added']);
  });

  it('an event whose channel messages NATS can never carry (over max_payload) is dead-lettered as permanent on its first delivery', async () => {
    const maxPayload = nc.info!.max_payload;
    const e = event({ id: 'huge-1' });
    const skeleton = JSON.stringify({ ...e, data: { ...e.data, note: '' } });
    // The event itself fits; wrapped in a channel message (destination, defaults, labels) it cannot.
    const payload = JSON.stringify({ ...e, data: { ...e.data, note: 'x'.repeat(maxPayload - skeleton.length - 100) } });
    expect(Buffer.byteLength(payload)).toBe(maxPayload - 100);
    const { letter, ms } = await publishAndAwaitDeadLetter(topo.subjects.event('scan_added'), payload);
    expect(ms).toBeLessThan(8_000);
    expect(letter.deliveries).toBe(1);
    expect(letter.event_id).toBe('huge-1');
    expect(letter.reason).toMatch(/^cannot be routed or published \(permanent\): InvalidArgumentError: .*max_payload/);
    // Too large to travel inside the letter: it says so and where the original is.
    expect(letter.payload_base64).toBe('');
    expect(letter.reason).toContain(`the original is ${topo.streams.events.name} sequence ${letter.stream_seq}`);
    // A replay of a letter without its payload would publish nothing: refused, saying why.
    const stored = `${topo.streams.events.name}-${letter.stream_seq}`;
    await waitFor(
      () => admin.get(`/dead-letters/${stored}`),
      (r) => r.status === 200,
      10_000,
    );
    const replay = await admin.post<{ error: { code: string; message: string } }>(`/dead-letters/${stored}/replay`, {});
    expect([replay.status, replay.body.error.code]).toEqual([409, 'payload_missing']);
    expect(replay.body.error.message).toContain('republish the original instead');
  });

  it('leaves nothing pending or unacknowledged on the gateway consumer', async () => {
    const info = await waitFor(
      async () => await (await js.consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable)).info(),
      (i) => i.num_pending === 0 && i.num_ack_pending === 0,
    );
    expect(info.num_redelivered).toBe(0);
  });
});

describe('delivery ids', () => {
  it('the same id from two sources is two events end to end: both delivered, with distinct, documented ids', async () => {
    for (const source of ['scanner-a', 'scanner/b']) {
      await admin.expect(
        202,
        'POST',
        '/events',
        event({ id: 'same-1', source, data: { product: { id: 'p1', name: 'Web' }, title: `from ${source}` } }),
      );
    }
    const alerts = await waitFor(
      () => alert.store.list({ userId: 'root', limit: 50 }),
      (page) => page.items.filter((a) => a.title.startsWith('from scanner')).length === 2,
      10_000,
    );
    expect(
      alerts.items
        .filter((a) => a.title.startsWith('from scanner'))
        .map((a) => [a.title, a.delivery_id])
        .sort(),
    ).toEqual([
      ['from scanner-a', 'scanner-a:same-1:alert:user-root'],
      ['from scanner/b', 'scanner%2Fb:same-1:alert:user-root'],
    ]);
    const deliveries = await waitFor(
      () => admin.get<{ items: Array<{ delivery_id: string; outcome: string }> }>('/deliveries?event_id=same-1'),
      (r) => r.body.items.length === 2 && r.body.items.every((d) => d.outcome === 'delivered'),
    );
    expect(deliveries.body.items.map((d) => d.delivery_id).sort()).toEqual([
      'scanner%2Fb:same-1:alert:user-root',
      'scanner-a:same-1:alert:user-root',
    ]);
    // Decisions are kept per (source, id) too: the second event's never overwrite the first's.
    const ambiguous = await admin.get<{ error: { code: string; message: string } }>('/events/same-1/decisions');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.code).toBe('ambiguous_event');
    expect(ambiguous.body.error.message).toBe(
      'Event id same-1 was published by 2 sources (scanner-a, scanner/b): add ?source=<source> to choose one',
    );
    for (const source of ['scanner-a', 'scanner/b']) {
      const decided = await admin.expect<{ source: string; event_id: string; decisions: unknown[] }>(
        200,
        'GET',
        `/events/same-1/decisions?source=${encodeURIComponent(source)}`,
      );
      expect([decided.source, decided.event_id]).toEqual([source, 'same-1']);
      expect(decided.decisions.length).toBeGreaterThan(0);
    }
    const other = await admin.get<{ error: { code: string } }>('/events/same-1/decisions?source=scanner-c');
    expect([other.status, other.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('request bodies must be JSON (415)', () => {
  it.each<[string, () => string, string]>([
    ['the gateway', () => `http://127.0.0.1:${gateway.port}/api/v1/users/u-415`, 'PUT'],
    ['the webhooks plugin', () => `${webhooksApi}/webhooks`, 'POST'],
    ['the alert plugin', () => `${alertApi}/users/root/alerts/read-all`, 'POST'],
  ])('%s answers 415 naming application/json', async (_label, url, method) => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const res = await raw(method, url(), 'username=ann', type);
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
      expect(res.body.error.message).toContain('Content-Type: application/json');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'Content-Type', expected: 'application/json' })]);
    }
    expect((await admin.get('/users/u-415')).status).toBe(404);
  });

  it('accepts application/json with a charset and +json types', async () => {
    const res = await raw(
      'PUT',
      `http://127.0.0.1:${gateway.port}/api/v1/users/u-json`,
      JSON.stringify({ username: 'jay' }),
      'application/json; charset=utf-8',
    );
    expect(res.status).toBe(201);
  });
});

describe('path ids', () => {
  const long = 'u'.repeat(10_000);
  it.each<[string, string, () => string, string]>([
    ['a 10 KB user id (gateway)', 'PUT', () => `http://127.0.0.1:${gateway.port}/api/v1/users/${long}`, 'id'],
    ['a user id with a space (gateway)', 'PUT', () => `http://127.0.0.1:${gateway.port}/api/v1/users/a%20b`, 'id'],
    [
      'a product member id (gateway)',
      'PUT',
      () => `http://127.0.0.1:${gateway.port}/api/v1/products/p1/members/${'m'.repeat(129)}`,
      'userId',
    ],
    [
      'an event id over 256 characters (gateway)',
      'GET',
      () => `http://127.0.0.1:${gateway.port}/api/v1/events/${'e'.repeat(257)}/decisions`,
      'eventId',
    ],
    ['a user id (alert plugin)', 'GET', () => `${alertApi}/users/${long}/alerts`, 'id'],
    ['an alert id with a quote (alert plugin)', 'POST', () => `${alertApi}/users/root/alerts/a'b/read`, 'alertId'],
    ['a webhook id (webhooks plugin)', 'GET', () => `${webhooksApi}/webhooks/${long}`, 'id'],
  ])('%s → 400 naming the parameter', async (_label, method, url, name) => {
    const body = method === 'GET' ? undefined : JSON.stringify(url().includes('/users/') && method === 'PUT' ? { username: 'long' } : {});
    const res = await raw(method, url(), body, body === undefined ? undefined : 'application/json');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: name })]);
    expect(res.body.error.details[0]?.expected).toMatch(
      /^(1 to 128 characters from A-Z a-z 0-9 \. _ ~ : @ -|an event id: 1 to 256 characters, no control characters)$/,
    );
  });

  it('stores nothing for a refused id, and accepts the documented character set', async () => {
    expect((await admin.get(`/users/${'u'.repeat(10_000)}`)).status).toBe(400);
    expect(await db.query(`select count(*)::int as n from gateway.users where length(id) > 128`)).toEqual([{ n: 0 }]);
    expect((await admin.put('/users/A-z_0.9~:@x', { username: 'chars' })).status).toBe(201);
    expect((await admin.get(`/events/${encodeURIComponent('any id: with spaces/and slashes')}/decisions`)).status).toBe(404);
  });
});

describe('directory events', () => {
  it('a directory event whose id breaks the path-id rule is dead-lettered naming data.id; nothing is stored', async () => {
    const long = 'd'.repeat(129);
    const ack = await js.publish(
      topo.subjects.directory('user', 'upserted'),
      JSON.stringify({ specversion: '1.0', id: 'dir-1', source: 'test', type: 'user_upserted', data: { id: long, username: 'longid' } }),
    );
    const letters = await waitFor(
      async () =>
        (await readStream(nc, topo.streams.dead.name))
          .map((m) => m.json<DeadLetter>())
          .filter((l) => l.stream_seq === ack.seq && l.subject === topo.subjects.directory('user', 'upserted')),
      (found) => found.length === 1,
    );
    expect(letters[0]?.reason).toBe(
      'data.id is 129 characters long, over the limit of 128 (expected 1 to 128 characters from A-Z a-z 0-9 . _ ~ : @ -)',
    );
    expect(letters[0]?.deliveries).toBe(1);
    expect(await db.query(`select id from gateway.users where username = 'longid'`)).toEqual([]);
  });
});

describe('NUL in API input', () => {
  it('a body string with \\u0000 → 400 naming the field (gateway)', async () => {
    const res = await admin.put<ErrorBody>('/users/nul-1', { username: 'a\u0000b' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'username', message: expect.stringMatching(/NUL/) })]);
    expect((await admin.get('/users/nul-1')).status).toBe(404);
  });

  it('a query parameter with \\u0000 → 400 naming it (gateway)', async () => {
    const res = await admin.get<ErrorBody>('/deliveries?event_id=a%00b');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'event_id' })]);
  });

  it('a webhooks list owner with \\u0000 → 400 naming owner (webhooks plugin)', async () => {
    const res = await raw('GET', `${webhooksApi}/webhooks?owner=a%00b`, undefined);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'owner' })]);
  });

  it('a webhook endpoint field with \\u0000 → 400 naming it (webhooks plugin)', async () => {
    const res = await raw(
      'POST',
      `${webhooksApi}/webhooks`,
      JSON.stringify({ name: 'n\u0000', url: 'http://127.0.0.1:9/x', skip_ping: true }),
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'name', message: expect.stringMatching(/NUL/) })]);
  });

  it("Herald's own records carrying \\u0000 (a status detail, a dead letter reason from a remote error) are stored with U+FFFD, not retried forever", async () => {
    const status = {
      delivery_id: 'test:nul-status:alert:user-root',
      event_id: 'nul-status',
      channel: 'alert',
      destination: { scope: 'personal', user: { id: 'root', username: 'root', email: 'root@example.com', full_name: '' } },
      outcome: 'failed',
      attempt: 3,
      at: new Date().toISOString(),
      detail: 'remote said a\u0000b',
    };
    await js.publish(topo.subjects.status('alert'), JSON.stringify(status));
    const letter: DeadLetter = {
      stage: 'deliver',
      reason: 'gave up: remote said c\u0000d',
      issues: [],
      subject: topo.subjects.deliver('alert'),
      stream: 'ELSEWHERE',
      stream_seq: 77,
      deliveries: 8,
      headers: { 'X-Odd\u0000': 'v\u0000' },
      payload_base64: '',
      at: new Date().toISOString(),
    };
    await js.publish(topo.subjects.dead('deliver', 'alert'), JSON.stringify(letter));
    const delivery = await waitFor(
      () => admin.get<{ items: Array<{ detail: string | null }> }>('/deliveries?event_id=nul-status'),
      (r) => r.body.items.length === 1,
    );
    expect(delivery.body.items[0]?.detail).toBe('remote said a\ufffdb');
    const stored = await waitFor(
      () => admin.get<{ reason: string; headers: Record<string, string> }>('/dead-letters/ELSEWHERE-77'),
      (r) => r.status === 200,
    );
    expect(stored.body.reason).toBe('gave up: remote said c\ufffdd');
    expect(stored.body.headers).toEqual({ 'X-Odd\ufffd': 'v\ufffd' });
  });

  it('an event with \\u0000 posted to /events → 400 naming the field', async () => {
    const res = await admin.post<ErrorBody>('/events', event({ data: { description: '\u0000' } }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'data.description' })]);
  });
});

describe('list endpoints honour limit and cursor', () => {
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await admin.expect(201, 'POST', '/tokens', {});
    await admin.expect(201, 'PUT', '/products/p2', { name: 'Api', product_type_id: 'pt1' });
    for (const product of ['p1', 'p2']) {
      const res = await admin.put(`/users/root/settings/products/${product}`, { events: { scan_added: ['alert'] } });
      expect(res.status).toBeLessThan(300);
    }
    for (const u of ['m1', 'm2', 'm3']) {
      await admin.expect(201, 'PUT', `/users/${u}`, { username: u });
      await admin.expect(200, 'PUT', `/products/p1/members/${u}`, {});
      await admin.expect(200, 'PUT', `/product-types/pt1/members/${u}`, {});
    }
    // Deliveries and dead letters of this file's own prefix (each list needs at least two).
    for (let i = 0; i < 3; i++) {
      await js.publish(topo.subjects.event('scan_added'), JSON.stringify(event({ id: `listed-${i}` })));
      await js.publish(topo.subjects.event('scan_added'), `{"broken-${i}":`);
    }
    // Each event reaches root and the three members of p1: twelve rows, so sequence numbers pass 9
    // (the list once ordered by the text of its sequence number: "9" > "10").
    await waitFor(
      async () => [
        (await admin.get<{ items: unknown[] }>('/deliveries?event_id=listed-0')).body.items.length,
        (await admin.get<{ items: unknown[] }>('/deliveries?event_id=listed-1')).body.items.length,
        (await admin.get<{ items: unknown[] }>('/deliveries?event_id=listed-2')).body.items.length,
        (await admin.get<{ items: Array<{ reason: string }> }>('/dead-letters?limit=500')).body.items.filter((l) =>
          l.reason.includes('malformed JSON'),
        ).length,
      ],
      ([first, second, third, letters]) => first === 4 && second === 4 && third === 4 && letters! >= 2,
    );
    for (let i = 0; i < 3; i++) {
      await admin.expect(201, 'POST', '/schedules', {
        idempotency_key: `later-${i}`,
        deliver_at: `2099-01-0${i + 1}T00:00:00Z`,
        event: event(),
      });
    }
    for (let i = 0; i < 3; i++) {
      await webhooks.store.create(
        {
          name: `hook-${i}`,
          url: 'http://127.0.0.1:9/x',
          header_name: null,
          header_value: null,
          signing_secrets: [],
          owner: null,
          note: null,
        },
        new Date(),
      );
    }
    for (let i = 0; i < 3; i++) {
      await alert.store.insert(
        { delivery_id: `list-${i}`, user_id: 'm1', title: `t${i}`, description: '', url: null, icon: 'bell', source: 'Other' },
        new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
      );
    }
  });

  const gatewayLists = [
    '/tokens',
    '/event-types',
    '/channels',
    '/deliveries',
    '/dead-letters',
    '/schedules',
    '/products/p1/members',
    '/product-types/pt1/members',
    '/users/root/settings/products',
  ];

  function list(
    base: string,
    path: string,
    query: string,
  ): Promise<{ status: number; body: { items: unknown[]; next_cursor: string | null } & ErrorBody }> {
    const sep = path.includes('?') ? '&' : '?';
    return raw('GET', `${base}${path}${sep}${query}`, undefined) as never;
  }

  const every = (): Array<[string, string]> => [
    ...gatewayLists.map((p): [string, string] => [`http://127.0.0.1:${gateway.port}/api/v1`, p]),
    [alertApi, '/users/m1/alerts'],
    [webhooksApi, '/webhooks'],
  ];

  /** The items' identities, in order, walking the list one item per page. */
  async function walk(base: string, path: string): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(base, path, `limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.items.map(identity));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 100);
    return seen;
  }

  function identity(item: unknown): string {
    const record = item as Record<string, unknown>;
    const key = record['delivery_id'] ?? record['id'] ?? record['name'] ?? record['user_id'] ?? record['product_id'];
    return typeof key === 'string' ? key : JSON.stringify(item);
  }

  it('pages through every list with limit=1 and next_cursor: every item once, in the order of one full page (deliveries past sequence 9 included)', async () => {
    for (const [base, path] of every()) {
      // Deliveries are still being recorded by status reports meanwhile: compare once the list is still.
      const whole = await waitFor(
        async () => [(await list(base, path, 'limit=200')).body.items.map(identity), await walk(base, path)] as const,
        ([all, walked]) => JSON.stringify(all) === JSON.stringify(walked),
        5_000,
        200,
      );
      const [all, walked] = whole;
      expect({ path, walked }).toEqual({ path, walked: all });
      expect({ path, unique: new Set(walked).size }).toEqual({ path, unique: walked.length });
      expect({ path, atLeastTwo: walked.length >= 2 }).toEqual({ path, atLeastTwo: true });
    }
  });

  it.each(['0', '-1', 'abc', '501', '1.5', ''])('limit=%s → 400 naming limit, on every list', async (limit) => {
    for (const [base, path] of every()) {
      const res = await list(base, path, `limit=${limit}`);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect({ path, named: res.body.error.details.some((d) => d.path === 'limit') }).toEqual({ path, named: true });
    }
  });

  it.each([
    ['garbage', 'not-a-cursor!'],
    ['tampered base64', Buffer.from('x:tampered', 'utf8').toString('base64url')],
    ['a NUL inside', Buffer.from('k:\u0000', 'utf8').toString('base64url')],
  ])('a %s cursor → 400 naming cursor, not an empty page', async (_label, cursor) => {
    for (const [base, path] of every()) {
      const res = await list(base, path, `cursor=${encodeURIComponent(cursor)}`);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect({ path, named: res.body.error.details.some((d) => d.path === 'cursor') }).toEqual({ path, named: true });
    }
  });
});
