/**
 * Token and product security against a real gateway, the alert and webhooks plugins with their
 * production wiring (`runPlugin` serving their APIs, bearer tokens checked over NATS), real NATS and
 * PostgreSQL:
 * - the token check on `<prefix>.internal.auth` carries only the token's SHA-256: a subscriber to
 *   the subject never sees a token, and user, admin and `HERALD_ADMIN_TOKEN` tokens still work;
 * - the token of an inactive or deleted user gets 401 from the gateway and from the plugin APIs;
 * - a user token gets the same 404 (same body) for a product it cannot view as for a missing one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { runPlugin, silentLogger, tokenDigest, topology, type RunningPlugin } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { openAlertDatabase, openAlertPlugin, type OpenedAlertPlugin } from '@herald/plugin-alert';
import { DEFAULT_WEBHOOKS_CONFIG, openWebhooksDatabase, openWebhooksPlugin, type OpenedWebhooksPlugin } from '@herald/plugin-webhooks';
import type pg from 'pg';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('security');
const topo = topology({ prefix });
let nc: NatsConnection;
let db: TestDatabase;
let gateway: RunningGateway;
let alertPool: pg.Pool;
let webhooksPool: pg.Pool;
let alert: OpenedAlertPlugin;
let webhooks: OpenedWebhooksPlugin;
let alertRunning: RunningPlugin<unknown>;
let webhooksRunning: RunningPlugin<unknown>;
let spy: Subscription;
const seenOnAuthSubject: string[] = [];
let admin: ApiClient;
let anonymous: ApiClient;
let alertApi: ApiClient;
let webhooksApi: ApiClient;

interface ErrorBody {
  error: { code: string; message: string };
}

async function userToken(userId: string): Promise<string> {
  return (await admin.expect<{ token: string }>(201, 'POST', '/tokens', { user_id: userId })).token;
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  spy = nc.subscribe(topo.subjects.internal('auth'), { callback: (_error, msg) => void seenOnAuthSubject.push(msg.string()) });
  await nc.flush();
  db = await createTestDatabase();
  gateway = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger });
  anonymous = new ApiClient(`http://127.0.0.1:${gateway.port}/api/v1`);
  admin = anonymous.withToken(TEST_ADMIN_TOKEN);

  alertPool = openAlertDatabase({ databaseUrl: db.url, dataDir: '.herald' });
  webhooksPool = openWebhooksDatabase({ databaseUrl: db.url, dataDir: '.herald' });
  alert = await openAlertPlugin({ pool: alertPool, nc, prefix, logger: silentLogger, maxAlertsPerUser: 10 });
  alertRunning = await runPlugin(alert.plugin, {
    connection: nc,
    logger: silentLogger,
    prefix,
    config: {},
    httpPort: 0,
    httpHost: '127.0.0.1',
  });
  webhooks = await openWebhooksPlugin({
    pool: webhooksPool,
    nc,
    prefix,
    logger: silentLogger,
    secretKey: TEST_SECRET_KEY,
    siteUrl: 'http://localhost',
  });
  webhooksRunning = await runPlugin(webhooks.plugin, {
    connection: nc,
    logger: silentLogger,
    prefix,
    secretKey: TEST_SECRET_KEY,
    config: DEFAULT_WEBHOOKS_CONFIG,
    httpPort: 0,
    httpHost: '127.0.0.1',
  });
  alertApi = new ApiClient(`http://127.0.0.1:${alertRunning.httpPort}/api/v1`);
  webhooksApi = new ApiClient(`http://127.0.0.1:${webhooksRunning.httpPort}/api/v1`);

  for (const [id, username] of [
    ['u1', 'ann'],
    ['u2', 'ben'],
    ['u3', 'cid'],
    ['u4', 'dot'],
    ['u5', 'eve'],
  ] as const) {
    await admin.expect(201, 'PUT', `/users/${id}`, { username, email: `${username}@example.com` });
  }
}, 30_000);

afterAll(async () => {
  spy?.unsubscribe();
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

describe('token checks over NATS carry a hash, never the token', () => {
  it('authenticates user, stored admin and HERALD_ADMIN_TOKEN tokens on the alert and webhooks APIs, and the auth subject sees only SHA-256 digests', async () => {
    const ann = await userToken('u1');
    const storedAdmin = (await admin.expect<{ token: string }>(201, 'POST', '/tokens', {})).token;
    seenOnAuthSubject.length = 0;

    expect((await alertApi.withToken(ann).get('/users/u1/alerts/count')).body).toEqual({ unread: 0, total: 0 });
    expect((await alertApi.withToken(ann).get('/users/u2/alerts/count')).status).toBe(403);
    expect((await alertApi.withToken(storedAdmin).get('/users/u2/alerts/count')).status).toBe(200);
    expect((await alertApi.withToken(TEST_ADMIN_TOKEN).get('/users/u2/alerts/count')).status).toBe(200);
    expect((await webhooksApi.withToken(ann).get('/webhooks')).status).toBe(200);
    expect((await webhooksApi.withToken(storedAdmin).get('/webhooks')).status).toBe(200);
    expect((await webhooksApi.withToken(TEST_ADMIN_TOKEN).get('/webhooks')).status).toBe(200);
    expect((await webhooksApi.withToken('hrld_unknown').get('/webhooks')).status).toBe(401);
    expect((await alertApi.withToken(TEST_ADMIN_TOKEN.slice(0, -1)).get('/users/u1/alerts/count')).status).toBe(401);

    await nc.flush();
    expect(seenOnAuthSubject).toHaveLength(9);
    const all = seenOnAuthSubject.join('\n');
    for (const token of [ann, storedAdmin, TEST_ADMIN_TOKEN, 'hrld_unknown']) {
      expect(all).not.toContain(token);
      expect(all).toContain(tokenDigest(token));
    }
    for (const body of seenOnAuthSubject) expect(Object.keys(JSON.parse(body) as object)).toEqual(['token_sha256']);
  });

  it('answers a raw token sent in the old request form as invalid (the gateway matches digests only)', async () => {
    const ann = await userToken('u1');
    const reply = await nc.request(topo.subjects.internal('auth'), JSON.stringify({ token: ann }), { timeout: 2_000 });
    expect(reply.json()).toEqual({ kind: 'invalid' });
    const byDigest = await nc.request(topo.subjects.internal('auth'), JSON.stringify({ token_sha256: tokenDigest(ann) }), {
      timeout: 2_000,
    });
    expect(byDigest.json()).toEqual({ kind: 'user', user_id: 'u1' });
  });
});

describe('tokens of inactive and deleted users', () => {
  it('refuses the token of an inactive user with 401 on the gateway and plugin APIs, and accepts it again once reactivated', async () => {
    const token = await userToken('u2');
    expect((await anonymous.withToken(token).get('/users/u2/settings')).status).toBe(200);
    await admin.expect(200, 'PUT', '/users/u2', { username: 'ben', email: 'ben@example.com', active: false });

    const gatewayAnswer = await anonymous.withToken(token).get<ErrorBody>('/users/u2/settings');
    expect(gatewayAnswer.status).toBe(401);
    expect(gatewayAnswer.body.error.code).toBe('unauthorized');
    expect((await alertApi.withToken(token).get('/users/u2/alerts/count')).status).toBe(401);
    expect((await webhooksApi.withToken(token).get('/webhooks')).status).toBe(401);

    await admin.expect(200, 'PUT', '/users/u2', { username: 'ben', email: 'ben@example.com', active: true });
    expect((await anonymous.withToken(token).get('/users/u2/settings')).status).toBe(200);
    expect((await alertApi.withToken(token).get('/users/u2/alerts/count')).status).toBe(200);
  });

  it('refuses the token of a deleted user with 401, also after a user with the same id is created again', async () => {
    const token = await userToken('u3');
    expect((await webhooksApi.withToken(token).get('/webhooks')).status).toBe(200);
    await admin.expect(204, 'DELETE', '/users/u3');
    expect((await anonymous.withToken(token).get('/users/u3/settings')).status).toBe(401);
    expect((await alertApi.withToken(token).get('/users/u3/alerts/count')).status).toBe(401);
    expect((await webhooksApi.withToken(token).get('/webhooks')).status).toBe(401);
    await admin.expect(201, 'PUT', '/users/u3', { username: 'cid', email: 'cid@example.com' });
    expect((await anonymous.withToken(token).get('/users/u3/settings')).status).toBe(401);
  });
});

describe('a product a user cannot view answers as a product that does not exist', () => {
  let dot: ApiClient;

  beforeAll(async () => {
    await admin.expect(201, 'PUT', '/product-types/pt-open', { name: 'Open' });
    await admin.expect(201, 'PUT', '/product-types/pt-closed', { name: 'Closed' });
    await admin.expect(201, 'PUT', '/products/p-member', { name: 'Member', product_type_id: 'pt-closed' });
    await admin.expect(201, 'PUT', '/products/p-via-type', { name: 'Via type', product_type_id: 'pt-open' });
    await admin.expect(201, 'PUT', '/products/p-hidden', { name: 'Hidden', product_type_id: 'pt-closed' });
    await admin.request('PUT', '/products/p-member/members/u4', {});
    await admin.request('PUT', '/product-types/pt-open/members/u4', {});
    dot = anonymous.withToken(await userToken('u4'));
  });

  /** The body with the product id replaced, so answers about two ids can be compared. */
  const normalised = (body: unknown, productId: string): string => JSON.stringify(body).replaceAll(productId, '<product>');

  it.each<[string, string, unknown]>([
    ['GET', '/users/u4/settings/products/', undefined],
    ['PUT', '/users/u4/settings/products/', { events: { scan_added: ['alert'] } }],
    ['PATCH', '/users/u4/settings/products/', { events: { scan_added: ['mail'] } }],
    ['DELETE', '/users/u4/settings/products/', undefined],
    ['PUT', '/users/u4/settings/products/', { events: { scan_addded: ['alert'] } }],
    ['GET', '/products/', undefined],
    ['DELETE', '/products/', undefined],
    ['GET', '/products/', '/members'],
    ['PUT', '/products/', '/members/u4'],
  ])('%s %s{id} answers a hidden product exactly as a missing one (%#)', async (method, path, extra) => {
    const suffix = typeof extra === 'string' ? extra : '';
    const body = typeof extra === 'string' ? (method === 'PUT' ? {} : undefined) : extra;
    const hidden = await dot.request(method, `${path}p-hidden${suffix}`, body);
    const missing = await dot.request(method, `${path}p-missing${suffix}`, body);
    expect(hidden.status).toBe(missing.status);
    expect(normalised(hidden.body, 'p-hidden')).toBe(normalised(missing.body, 'p-missing'));
    expect([400, 403, 404]).toContain(hidden.status);
  });

  it('answers 404 with the same message on the settings routes, and the product row stays unwritten', async () => {
    const hidden = await dot.get<ErrorBody>('/users/u4/settings/products/p-hidden');
    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toEqual({
      code: 'not_found',
      message: 'product settings of user u4 for product p-hidden not found',
      details: [],
    });
    const put = await dot.put<ErrorBody>('/users/u4/settings/products/p-hidden', { events: { scan_added: ['alert'] } });
    expect(put.status).toBe(404);
    expect(put.body.error.message).toBe('user u4 or product p-hidden not found');
    expect(await db.query('select 1 from gateway.product_settings where product_id = $1', ['p-hidden'])).toEqual([]);
  });

  it('serves products the user can view: as a member, through the product type, with a global role, as a superuser, and to admins', async () => {
    expect((await dot.put('/users/u4/settings/products/p-member', { events: { scan_added: ['alert'] } })).status).toBe(200);
    expect((await dot.get('/users/u4/settings/products/p-via-type')).status).toBe(200);
    expect((await admin.get('/users/u4/settings/products/p-hidden')).status).toBe(200);
    await admin.expect(200, 'PUT', '/users/u5', { username: 'eve', email: 'eve@example.com', global_role: 'reader' });
    const eve = anonymous.withToken(await userToken('u5'));
    expect((await eve.get('/users/u5/settings/products/p-hidden')).status).toBe(200);
    await admin.expect(200, 'PUT', '/users/u5', { username: 'eve', email: 'eve@example.com', superuser: true });
    expect((await eve.get('/users/u5/settings/products/p-hidden')).status).toBe(200);
    await admin.expect(200, 'PUT', '/users/u5', { username: 'eve', email: 'eve@example.com' });
    expect((await eve.get('/users/u5/settings/products/p-hidden')).status).toBe(404);
  });

  it('hides a product again once the membership that showed it is removed (a stale row stays invisible)', async () => {
    await admin.request('PUT', '/products/p-hidden/members/u4', {});
    expect((await dot.put('/users/u4/settings/products/p-hidden', { events: { scan_added: ['alert'] } })).status).toBe(200);
    await admin.expect(204, 'DELETE', '/products/p-hidden/members/u4');
    const stale = await dot.get<ErrorBody>('/users/u4/settings/products/p-hidden');
    expect(stale.status).toBe(404);
    expect(stale.body.error.message).toBe('product settings of user u4 for product p-hidden not found');
    expect((await dot.delete('/users/u4/settings/products/p-hidden')).status).toBe(404);
    const listed = await dot.get<{ items: Array<{ product_id: string }> }>('/users/u4/settings/products');
    expect(listed.body.items.map((row) => row.product_id)).toEqual(['p-member']);
    const asAdmin = await admin.get<{ items: Array<{ product_id: string }> }>('/users/u4/settings/products');
    expect(asAdmin.body.items.map((row) => row.product_id)).toEqual(['p-hidden', 'p-member']);
  });
});
