/**
 * Delivery and the endpoint status machine against real PostgreSQL (one connection, as with
 * PGlite), real HTTP sinks on 127.0.0.1 and an injected clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SecretBox, silentLogger, type SendOutcome, parseAllowList } from '@herald/contracts';
import { DEFAULT_MAX_DEFER_MS, WebhookDispatcher } from './dispatcher.js';
import { EndpointStore, type Endpoint, type NewEndpoint } from './endpoint-store.js';
import { renderMessage } from './render.js';
import { sweepEndpoints } from './sweep.js';
import { postWebhook, systemResolver } from './transport.js';
import { HttpSink, type SinkRequest } from './testing/http-sink.js';
import { channelMessage, heraldEvent, personal, SITE_URL, SYSTEM } from './testing/messages.js';
import { TestClock } from './testing/test-clock.js';
import { createWebhooksTestDatabase, type WebhooksTestDatabase } from './testing/test-database.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-23T10:00:00Z');

let db: WebhooksTestDatabase;
let store: EndpointStore;
let sink: HttpSink;
let clock: TestClock;
let dispatcher: WebhookDispatcher;

beforeAll(async () => {
  db = await createWebhooksTestDatabase();
  store = new EndpointStore(db.pool, SecretBox.fromBase64(SecretBox.generateKey()));
  await store.migrate();
  sink = await HttpSink.start();
});

afterAll(async () => {
  await sink.close();
  await db.drop();
});

beforeEach(async () => {
  await db.pool.query('delete from webhooks.endpoints');
  sink.requests.length = 0;
  sink.respondWith((request) => {
    const match = /^\/status\/(\d{3})/.exec(request.path);
    if (match) return { status: Number(match[1]) };
    if (request.path.startsWith('/hang')) return 'hang';
    return { status: 200 };
  });
  clock = new TestClock(T0);
  dispatcher = new WebhookDispatcher({
    store,
    clock,
    logger: silentLogger,
    version: '0.1.0',
    allow: parseAllowList('127.0.0.0/8,::1/128'),
    resolver: systemResolver,
    post: postWebhook,
    maxDeferMs: DEFAULT_MAX_DEFER_MS,
  });
});

let counter = 0;
async function endpoint(path: string, overrides: Partial<NewEndpoint> = {}): Promise<Endpoint> {
  counter += 1;
  return store.create(
    {
      name: `hook-${counter}`,
      url: sink.url(path),
      header_name: null,
      header_value: null,
      signing_secrets: [],
      owner: null,
      note: null,
      ...overrides,
    },
    clock.now(),
  );
}

async function deliver(type = 'product_added', destination = SYSTEM, id?: string, timeoutMs = 2_000): Promise<SendOutcome> {
  const message = channelMessage(heraldEvent(type, { product: { id: '4', name: 'P' } }, id), destination);
  return dispatcher.deliver(message, renderMessage(message), timeoutMs);
}

async function reload(e: Endpoint): Promise<Endpoint> {
  const found = await store.get(e.id);
  if (!found) throw new Error('endpoint vanished');
  return found;
}

const hits = (path: string): SinkRequest[] => sink.requests.filter((r) => r.path === path);

describe('destinations', () => {
  it('no system endpoint → dropped, saying so, nothing sent', async () => {
    await endpoint('/personal', { owner: '7' });
    expect(await deliver()).toEqual({
      kind: 'dropped',
      reason:
        'no system webhook endpoint: system notifications go to endpoints without an owner and none exists (create one with POST /api/v1/webhooks)',
    });
    expect(sink.requests).toHaveLength(0);
  });

  it('no personal endpoint → dropped, saying so, nothing sent', async () => {
    await endpoint('/system');
    expect(await deliver('product_added', personal('7', 'bob'))).toEqual({
      kind: 'dropped',
      reason: 'user bob (7) has no webhook endpoint: personal notifications go to the endpoints the user owns',
    });
    expect(sink.requests).toHaveLength(0);
  });

  it('system → every endpoint without owner; personal → only that user’s endpoints', async () => {
    await endpoint('/system-a');
    await endpoint('/system-b');
    await endpoint('/bob', { owner: '7' });
    await endpoint('/carol', { owner: '8' });
    expect(await deliver()).toEqual({ kind: 'delivered', detail: 'delivered to 2 of 2 endpoint(s)' });
    expect(sink.requests.map((r) => r.path).sort()).toEqual(['/system-a', '/system-b']);
    sink.requests.length = 0;
    expect(await deliver('product_added', personal('7', 'bob'))).toEqual({ kind: 'delivered', detail: 'delivered to 1 of 1 endpoint(s)' });
    expect(sink.requests.map((r) => r.path)).toEqual(['/bob']);
  });
});

describe('status machine', () => {
  it('2xx changes nothing', async () => {
    const e = await endpoint('/ok');
    await deliver();
    expect(await reload(e)).toMatchObject({ status: 'active', first_error: null, last_error: null, note: null });
    await db.pool.query(
      `update webhooks.endpoints set status = 'active_tmp', first_error = $2, last_error = $2, note = 'x' where id = $1`,
      [e.id, T0],
    );
    await deliver();
    expect(await reload(e)).toMatchObject({ status: 'active_tmp', first_error: T0, last_error: T0, note: 'x' });
  });

  it('400 → inactive_permanent with first_error = last_error, and the message failed', async () => {
    const e = await endpoint('/status/400');
    const outcome = await deliver();
    expect(outcome).toEqual({
      kind: 'failed',
      reason: `delivered to 0 of 1 endpoint(s); 1 failed permanently: endpoint "${e.name}" (${e.id}): Response status code: 400; now inactive_permanent`,
    });
    expect(await reload(e)).toMatchObject({
      status: 'inactive_permanent',
      first_error: T0,
      last_error: T0,
      note: 'Response status code: 400',
    });
  });

  it.each([410, 302, 404])('%i is permanent', async (status) => {
    const e = await endpoint(`/status/${status}`);
    await deliver();
    expect(await reload(e)).toMatchObject({ status: 'inactive_permanent', note: `Response status code: ${status}` });
  });

  it('first 500 → inactive_tmp with note "Response status code: 500"; the message waits for the 60 s reactivation', async () => {
    const e = await endpoint('/status/500');
    const outcome = await deliver();
    expect(outcome).toEqual({
      kind: 'retry',
      reason: `delivered to 0 of 1 endpoint(s); waiting for 1: endpoint "${e.name}" (${e.id}): Response status code: 500; now inactive_tmp`,
      afterMs: 60_000,
      deferred: true,
    });
    expect(await reload(e)).toMatchObject({ status: 'inactive_tmp', first_error: T0, last_error: T0, note: 'Response status code: 500' });
  });

  it('429 is temporary and honours a longer Retry-After', async () => {
    sink.respondWith(() => ({ status: 429, headers: { 'Retry-After': '120' } }));
    const e = await endpoint('/limited');
    expect(await deliver()).toMatchObject({ kind: 'retry', afterMs: 120_000 });
    expect(await reload(e)).toMatchObject({ status: 'inactive_tmp', note: 'Response status code: 429' });
  });

  it('reactivation after 60 s: a new message waits before (not dropped), is sent at 60 s (active_tmp)', async () => {
    const e = await endpoint('/flaky');
    sink.respondWith(() => ({ status: 503 }));
    await deliver();
    sink.respondWith(() => ({ status: 200 }));
    clock.advance(59_000);
    expect(await deliver()).toEqual({
      kind: 'retry',
      reason: `delivered to 0 of 1 endpoint(s); waiting for 1: endpoint "${e.name}" (${e.id}) is inactive_tmp (Response status code: 503); waiting for its reactivation in 1 s`,
      afterMs: 1_000,
      deferred: true,
    });
    expect(sink.requests).toHaveLength(1);
    clock.advance(1_000);
    expect(await deliver()).toEqual({ kind: 'delivered', detail: 'delivered to 1 of 1 endpoint(s)' });
    expect(sink.requests).toHaveLength(2);
    expect(await reload(e)).toMatchObject({ status: 'active_tmp', first_error: T0, last_error: T0 });
  });

  it('a second 5xx within a day keeps first_error', async () => {
    const e = await endpoint('/status/500');
    await deliver();
    clock.advance(6 * HOUR);
    await deliver();
    expect(await reload(e)).toMatchObject({ status: 'inactive_tmp', first_error: T0, last_error: new Date(T0.getTime() + 6 * HOUR) });
  });

  it('a 5xx more than 24 h after first_error → inactive_permanent', async () => {
    const e = await endpoint('/status/502');
    await deliver();
    clock.advance(24 * HOUR + 1_000);
    const outcome = await deliver();
    expect(outcome.kind).toBe('failed');
    expect(await reload(e)).toMatchObject({ status: 'inactive_permanent', first_error: T0, note: 'Response status code: 502' });
  });

  it('timeout → inactive_tmp', async () => {
    const e = await endpoint('/hang');
    const outcome = await deliver('product_added', SYSTEM, undefined, 300);
    expect(outcome.kind).toBe('retry');
    expect(await reload(e)).toMatchObject({ status: 'inactive_tmp', note: 'Timeout: no response within 300 ms' });
  });

  it('unresolvable host → inactive_permanent', async () => {
    const e = await endpoint('/', { url: 'http://does-not-exist.invalid/' });
    expect((await deliver()).kind).toBe('failed');
    const after = await reload(e);
    expect(after.status).toBe('inactive_permanent');
    expect(after.note).toMatch(/^Exception: cannot resolve does-not-exist\.invalid: .*ENOTFOUND/);
  });

  it('connection refused → inactive_permanent', async () => {
    const e = await endpoint('/', { url: 'http://127.0.0.1:1/' });
    await deliver();
    const after = await reload(e);
    expect(after.status).toBe('inactive_permanent');
    expect(after.note).toMatch(/^Exception: .*ECONNREFUSED/);
  });

  it('a target that became unsafe is refused at send time → inactive_permanent, nothing sent', async () => {
    const e = await endpoint('/', { url: 'http://10.0.0.1/' });
    await deliver();
    expect(await reload(e)).toMatchObject({
      status: 'inactive_permanent',
      note: 'Refused: refusing http://10.0.0.1/: resolves to 10.0.0.1 (private); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=10.0.0.0/8',
    });
  });

  it('an inactive endpoint → dropped, naming the endpoint and its status', async () => {
    const e = await endpoint('/ok');
    await store.setStatus(e.id, 'inactive_permanent', 'Deactivated by user', clock.now());
    expect(await deliver()).toEqual({
      kind: 'dropped',
      reason: `no receiving webhook endpoint: endpoint "${e.name}" (${e.id}) is inactive_permanent (Deactivated by user)`,
    });
    expect(sink.requests).toHaveLength(0);
  });
});

describe('deferred, not dropped (SPEC §5)', () => {
  it('a message for an inactive_tmp endpoint waits and is delivered after the reactivation, once', async () => {
    const e = await endpoint('/flaky');
    sink.respondWith(() => ({ status: 500 }));
    await deliver('product_added', SYSTEM, 'evt-first');
    sink.respondWith(() => ({ status: 200 }));
    clock.advance(20_000);
    expect(await deliver('product_added', SYSTEM, 'evt-later')).toMatchObject({ kind: 'retry', afterMs: 40_000, deferred: true });
    clock.advance(40_000);
    expect(await deliver('product_added', SYSTEM, 'evt-later')).toEqual({ kind: 'delivered', detail: 'delivered to 1 of 1 endpoint(s)' });
    expect(sink.requests.map((r) => JSON.parse(r.body) as unknown)).toHaveLength(2);
    expect((await reload(e)).status).toBe('active_tmp');
  });

  it('a message that waited longer than the maximum age is dropped, saying so', async () => {
    dispatcher = new WebhookDispatcher({
      store,
      clock,
      logger: silentLogger,
      version: '0.1.0',
      allow: parseAllowList('127.0.0.0/8'),
      resolver: systemResolver,
      post: postWebhook,
      maxDeferMs: 90_000,
    });
    const e = await endpoint('/down');
    sink.respondWith(() => ({ status: 503 }));
    expect(await deliver('product_added', SYSTEM, 'evt-old')).toMatchObject({ kind: 'retry', deferred: true });
    clock.advance(60_000);
    expect(await deliver('product_added', SYSTEM, 'evt-old')).toMatchObject({ kind: 'retry', deferred: true });
    clock.advance(31_000);
    expect(await deliver('product_added', SYSTEM, 'evt-old')).toEqual({
      kind: 'dropped',
      reason: `no receiving webhook endpoint: endpoint "${e.name}" (${e.id}) stayed inactive_tmp while this message waited 91 s, longer than the maximum of 90 s (HERALD_WEBHOOKS_MAX_DEFER_SECONDS)`,
    });
    expect(sink.requests).toHaveLength(2);
  });

  it('a replay sends again to endpoints that dropped the delivery, never to those that received it', async () => {
    const good = await endpoint('/good');
    const off = await endpoint('/off');
    await store.setStatus(off.id, 'inactive_permanent', 'Deactivated by user', clock.now());
    const message = channelMessage(heraldEvent('product_added', { product: { id: '4', name: 'P' } }, 'evt-replay'));
    expect(await dispatcher.deliver(message, renderMessage(message), 2_000)).toMatchObject({ kind: 'delivered' });
    await store.setStatus(off.id, 'active', null, clock.now());
    expect(await dispatcher.deliver(message, renderMessage(message), 2_000)).toMatchObject({ kind: 'delivered' });
    expect(hits('/off')).toHaveLength(0);
    expect(await dispatcher.deliver(message, renderMessage(message), 2_000, undefined, 'replay:dead-1:1')).toEqual({
      kind: 'delivered',
      detail: 'delivered to 2 of 2 endpoint(s)',
    });
    expect(hits('/good')).toHaveLength(1);
    expect(hits('/off')).toHaveLength(1);
    expect((await reload(good)).status).toBe('active');
  });
});

describe('sweepEndpoints', () => {
  it('active_tmp without error for 24 h → active with note "Reactivation from active_tmp"', async () => {
    const old = await endpoint('/a');
    const recent = await endpoint('/b');
    await db.pool.query(
      `update webhooks.endpoints set status = 'active_tmp', first_error = $2, last_error = $2, note = 'Response status code: 500' where id = $1`,
      [old.id, new Date(T0.getTime() - 24 * HOUR - 1_000)],
    );
    await db.pool.query(
      `update webhooks.endpoints set status = 'active_tmp', first_error = $2, last_error = $2, note = 'Response status code: 500' where id = $1`,
      [recent.id, new Date(T0.getTime() - 23 * HOUR)],
    );
    expect(await sweepEndpoints(store, T0)).toEqual({ promoted: 1, reactivated: 0, pruned_delivery_records: 0 });
    expect(await reload(old)).toMatchObject({
      status: 'active',
      first_error: null,
      last_error: null,
      note: 'Reactivation from active_tmp',
    });
    expect(await reload(recent)).toMatchObject({ status: 'active_tmp', note: 'Response status code: 500' });
  });

  it('inactive_tmp older than 5 min → active_tmp', async () => {
    const old = await endpoint('/a');
    const recent = await endpoint('/b');
    await db.pool.query(`update webhooks.endpoints set status = 'inactive_tmp', first_error = $2, last_error = $2 where id = $1`, [
      old.id,
      new Date(T0.getTime() - 5 * 60_000 - 1),
    ]);
    await db.pool.query(`update webhooks.endpoints set status = 'inactive_tmp', first_error = $2, last_error = $2 where id = $1`, [
      recent.id,
      new Date(T0.getTime() - 4 * 60_000),
    ]);
    expect(await sweepEndpoints(store, T0)).toEqual({ promoted: 0, reactivated: 1, pruned_delivery_records: 0 });
    expect((await reload(old)).status).toBe('active_tmp');
    expect((await reload(recent)).status).toBe('inactive_tmp');
  });
});

describe('per-endpoint results across retries', () => {
  it('a temporary failure retries only the failed endpoint: no duplicates at the others', async () => {
    const good = await endpoint('/good');
    const flaky = await endpoint('/flaky');
    sink.respondWith((r) => ({ status: r.path === '/flaky' ? 500 : 200 }));
    const first = await deliver('product_added', SYSTEM, 'evt-retry');
    expect(first).toMatchObject({ kind: 'retry', afterMs: 60_000 });
    expect((first as { reason: string }).reason).toContain(`delivered to 1 of 2 endpoint(s); waiting for 1: endpoint "${flaky.name}"`);

    // A retry before the endpoint is back waits again, sending nothing.
    clock.advance(30_000);
    expect(await deliver('product_added', SYSTEM, 'evt-retry')).toMatchObject({ kind: 'retry', afterMs: 30_000 });
    expect(sink.requests).toHaveLength(2);

    clock.advance(30_000);
    sink.respondWith(() => ({ status: 200 }));
    expect(await deliver('product_added', SYSTEM, 'evt-retry')).toEqual({ kind: 'delivered', detail: 'delivered to 2 of 2 endpoint(s)' });
    expect(hits('/good')).toHaveLength(1);
    expect(hits('/flaky')).toHaveLength(2);

    // A redelivery of the same delivery id sends nothing more.
    expect(await deliver('product_added', SYSTEM, 'evt-retry')).toEqual({ kind: 'delivered', detail: 'delivered to 2 of 2 endpoint(s)' });
    expect(sink.requests).toHaveLength(3);
    expect((await reload(good)).status).toBe('active');
  });

  it('a permanent failure of one endpoint fails the message, naming it, and delivers to the others once', async () => {
    await endpoint('/good');
    const bad = await endpoint('/status/400');
    const outcome = await deliver('product_added', SYSTEM, 'evt-mixed');
    expect(outcome).toEqual({
      kind: 'failed',
      reason: `delivered to 1 of 2 endpoint(s); 1 failed permanently: endpoint "${bad.name}" (${bad.id}): Response status code: 400; now inactive_permanent`,
    });
    await deliver('product_added', SYSTEM, 'evt-mixed');
    expect(hits('/good')).toHaveLength(1);
    expect(hits('/status/400')).toHaveLength(1);
  });

  it('20 endpoints, one hanging until the timeout: the others receive within a second', async () => {
    for (let i = 0; i < 19; i++) await endpoint(`/fast-${i}`);
    const hanging = await endpoint('/hang');
    const started = Date.now();
    const outcome = await deliver('product_added', SYSTEM, 'evt-fanout', 3_000);
    const elapsed = Date.now() - started;
    const fast = sink.requests.filter((r) => r.path.startsWith('/fast-'));
    expect(fast).toHaveLength(19);
    for (const request of fast) expect(request.receivedAt - started).toBeLessThan(1_000);
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect((outcome as { reason: string }).reason).toContain('delivered to 19 of 20 endpoint(s)');
    expect(await reload(hanging)).toMatchObject({ status: 'inactive_tmp', note: 'Timeout: no response within 3000 ms' });
  });
});

/** Standard Webhooks verification, written from the specification (not from `signature.ts`). */
function verify(secret: string, request: SinkRequest): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const content = `${String(request.headers['webhook-id'])}.${String(request.headers['webhook-timestamp'])}.${request.body}`;
  const expected = createHmac('sha256', key).update(content).digest();
  return String(request.headers['webhook-signature'])
    .split(' ')
    .map((part) => part.split(','))
    .some(
      ([version, signature]) => version === 'v1' && signature !== undefined && timingSafeEqual(Buffer.from(signature, 'base64'), expected),
    );
}

describe('what a receiver sees', () => {
  const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
  const rotated = `whsec_${Buffer.alloc(40, 5).toString('base64')}`;

  it('exactly the documented headers, the DefectDojo body, and verifiable signatures (one per secret)', async () => {
    await endpoint('/signed', { header_name: 'X-Api-Key', header_value: 's3cr3t', signing_secrets: [secret, rotated] });
    const message = channelMessage(heraldEvent('product_added', { product: { id: '4', name: 'P: "x"' } }, 'evt-headers'));
    expect(await dispatcher.deliver(message, renderMessage(message), 2_000)).toMatchObject({ kind: 'delivered' });
    const [request] = sink.requests;
    if (!request) throw new Error('nothing received');
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      host: `127.0.0.1:${sink.port}`,
      connection: expect.any(String),
      'content-length': String(Buffer.byteLength(request.body)),
      'user-agent': 'Herald/0.1.0',
      'x-herald-event': 'product_added',
      'x-herald-instance': SITE_URL,
      accept: 'application/json',
      'content-type': 'application/json',
      'x-api-key': 's3cr3t',
      'webhook-id': 'defectdojo:evt-headers:webhooks:system',
      'webhook-timestamp': String(T0.getTime() / 1_000),
      'webhook-signature': expect.stringMatching(/^v1,\S+ v1,\S+$/),
    });
    expect(JSON.parse(request.body)).toEqual({
      description: 'Product P: "x" has been created successfully.',
      title: 'Product Added',
      user: null,
      actor: null,
      product: { id: '4', name: 'P: "x"', url_ui: `${SITE_URL}/product/4`, url_api: `${SITE_URL}/api/v2/products/4/` },
    });
    expect(verify(secret, request)).toBe(true);
    expect(verify(rotated, request)).toBe(true);
    expect(verify(`whsec_${Buffer.alloc(32, 4).toString('base64')}`, request)).toBe(false);
  });

  it('no Standard Webhooks headers without signing secrets', async () => {
    await endpoint('/plain');
    await deliver();
    const headers = sink.requests[0]?.headers ?? {};
    expect(Object.keys(headers).filter((h) => h.startsWith('webhook-'))).toEqual([]);
  });

  it.each([
    ['a system endpoint', null, null],
    ['an owned endpoint whose owner no delivery named yet', '7', '(7)'],
  ])('ping to %s: user is the owner', async (_label, owner, user) => {
    const e = await endpoint('/ping', { owner, signing_secrets: [secret] });
    expect(await dispatcher.ping(e, SITE_URL, 2_000)).toEqual({ kind: 'accepted', status: 200 });
    const [request] = sink.requests;
    if (!request) throw new Error('nothing received');
    expect(request.headers['x-herald-event']).toBe('ping');
    expect(request.headers['x-herald-instance']).toBe(SITE_URL);
    expect(request.headers['webhook-id']).toMatch(/^ping_[0-9a-f-]{36}$/);
    expect(JSON.parse(request.body)).toEqual({ description: 'Test webhook notification', title: '', user, actor: null });
    expect(verify(secret, request)).toBe(true);
    expect((await reload(e)).status).toBe('active');
  });

  it('user is the endpoint owner, as DefectDojo renders a user, on messages and later pings; the actor travels apart', async () => {
    const e = await endpoint('/mine', { owner: '7' });
    const message = channelMessage(
      heraldEvent('product_added', { product: { id: '4', name: 'P' }, actor: { id: '1', username: 'admin' } }, 'evt-owner'),
      personal('7', 'bob'),
    );
    expect(await dispatcher.deliver(message, renderMessage(message), 2_000)).toMatchObject({ kind: 'delivered' });
    expect(JSON.parse(sink.requests[0]?.body ?? '{}')).toMatchObject({ user: 'User 7 (bob)', actor: { id: '1', username: 'admin' } });
    expect((await reload(e)).owner_name).toBe('User 7 (bob)');
    await dispatcher.ping(await reload(e), SITE_URL, 2_000);
    expect(JSON.parse(sink.requests[1]?.body ?? '{}')).toEqual({
      description: 'Test webhook notification',
      title: '',
      user: 'User 7 (bob)',
      actor: null,
    });
  });
});
