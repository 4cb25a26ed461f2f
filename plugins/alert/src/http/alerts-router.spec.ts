/**
 * The alerts API through real HTTP servers, real NATS (token checks answered over
 * `<prefix>.internal.auth` as the gateway answers them) and real PostgreSQL. Two replicas share the
 * database and the deliver stream, each serving the API on its own port through the SDK; a third
 * server mounts the handler on a plain Express app, as the all-in-one gateway does.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  authenticateViaGateway,
  connectNats,
  pluginHttpHandler,
  runPlugin,
  silentLogger,
  subjects,
  topology,
  type RunningPlugin,
  type Topology,
} from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import type { AlertJson, NewAlert } from '../alert.js';
import type { AlertConfig } from '../config.js';
import { openAlertPlugin, type OpenedAlertPlugin } from '../open-alert-plugin.js';
import { serveFakeAuth } from '../testing/fake-auth.js';
import { personalMessage } from '../testing/messages.js';
import { SseClient } from '../testing/sse-client.js';
import { createAlertTestDatabase, type AlertTestDatabase } from '../testing/test-database.js';

const ADMIN = 'Bearer admin-token';
const ALICE = 'Bearer alice-token';
const BOB = 'Bearer bob-token';

interface Target {
  readonly url: string;
}

let db: AlertTestDatabase;
let ncA: NatsConnection;
let ncB: NatsConnection;
let topo: Topology;
let auth: Subscription;
let replicaA: OpenedAlertPlugin;
let replicaB: OpenedAlertPlugin;
let runningA: RunningPlugin<AlertConfig>;
let runningB: RunningPlugin<AlertConfig>;
let serverA: Target;
let serverB: Target;
let noGateway: Target;
let noGatewayServer: Server;
const streams: SseClient[] = [];

const target = (running: RunningPlugin<AlertConfig>): Target => ({ url: `http://127.0.0.1:${running.httpPort}` });

beforeAll(async () => {
  db = await createAlertTestDatabase({ migrate: false });
  const url = await resolveNatsUrl();
  ncA = await connectNats({ url, name: 'alerts-api-spec-a' });
  ncB = await connectNats({ url, name: 'alerts-api-spec-b' });
  const prefix = uniquePrefix('alert_api');
  topo = topology({ prefix });
  auth = await serveFakeAuth(ncA, prefix, {
    'admin-token': { kind: 'admin' },
    'alice-token': { kind: 'user', user_id: 'alice' },
    'bob-token': { kind: 'user', user_id: 'bob' },
    'revoked-token': { kind: 'invalid' },
  });
  replicaA = await openAlertPlugin({ pool: db.pool, nc: ncA, prefix, logger: silentLogger });
  replicaB = await openAlertPlugin({ pool: db.pool, nc: ncB, prefix, logger: silentLogger, heartbeatMs: 200 });
  const common = { config: {}, logger: silentLogger, prefix, httpPort: 0, httpHost: '127.0.0.1' };
  runningA = await runPlugin(replicaA.plugin, { ...common, connection: ncA });
  runningB = await runPlugin(replicaB.plugin, { ...common, connection: ncB });
  serverA = target(runningA);
  serverB = target(runningB);
  const nobody = subjects(uniquePrefix('nobody')).internal('auth');
  const app = express();
  app.use(
    pluginHttpHandler(replicaA.plugin, {
      logger: silentLogger,
      authenticate: (header) => authenticateViaGateway(ncA, nobody, header),
      config: () => ({}),
    }),
  );
  noGatewayServer = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  noGateway = { url: `http://127.0.0.1:${(noGatewayServer.address() as AddressInfo).port}` };
});

afterAll(async () => {
  for (const stream of streams) stream.close();
  replicaA.close();
  replicaB.close();
  await Promise.all([runningA.stop(), runningB.stop()]);
  await new Promise<void>((resolve) => noGatewayServer.close(() => resolve()));
  auth.unsubscribe();
  await deleteTopology(ncA, topo);
  await ncA.drain();
  await ncB.drain();
  await db.drop();
});

beforeEach(async () => {
  await db.pool.query('delete from alerts.alerts');
});

const at = (second: number): Date => new Date(Date.UTC(2026, 10, 23, 10, 0, second));

function alertFor(userId: string, n: number): NewAlert {
  return {
    delivery_id: `e-${n}:alert:user-${userId}`,
    user_id: userId,
    title: `Alert ${n}`,
    description: `Description ${n}`,
    url: null,
    icon: 'bell',
    source: 'Scan Added',
  };
}

async function seed(userId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) ids.push((await replicaA.store.insert(alertFor(userId, n), at(n))).alert.id);
  return ids;
}

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

async function call(method: string, path: string, authorization?: string, base: Target = serverA): Promise<Reply> {
  const response = await fetch(`${base.url}/api/v1${path}`, {
    method,
    headers: authorization === undefined ? {} : { authorization },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

interface Page {
  readonly items: AlertJson[];
  readonly next_cursor: string | null;
}

const errorBody = (code: string) => ({ error: { code, message: expect.any(String), details: expect.any(Array) } });

async function openStream(server: Target, userId: string, authorization: string): Promise<SseClient> {
  const client = await SseClient.connect(`${server.url}/api/v1/users/${userId}/alerts/stream`, authorization);
  streams.push(client);
  return client;
}

async function deliver(eventId: string, userId: string, title: string): Promise<void> {
  const message = personalMessage({ eventId, userId, data: { title } });
  await jetstream(ncA).publish(topo.subjects.deliver('alert'), JSON.stringify(message), { msgID: message.delivery_id });
}

describe('authentication and authorization', () => {
  it.each<[string, string | undefined]>([
    ['no Authorization header', undefined],
    ['a non-bearer header', 'Basic YWxpY2U6cHc='],
    ['an unknown token', 'Bearer unknown-token'],
    ['a revoked token', 'Bearer revoked-token'],
  ])('answers 401 to %s', async (_label, authorization) => {
    const reply = await call('GET', '/users/alice/alerts', authorization);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual(errorBody('unauthorized'));
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each<[string, string]>([
    ['GET', '/users/alice/alerts'],
    ['GET', '/users/alice/alerts/count'],
    ['GET', '/users/alice/alerts/stream'],
    ['POST', '/users/alice/alerts/read-all'],
    ['POST', '/users/alice/alerts/some-id/read'],
    ['DELETE', '/users/alice/alerts/some-id'],
    ['DELETE', '/users/alice/alerts'],
  ])("refuses bob's token on %s %s with 403 and changes nothing", async (method, path) => {
    const [id] = await seed('alice', 1);
    const reply = await call(method, path.replace('some-id', id!), BOB);
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual(errorBody('forbidden'));
    expect(await replicaA.store.count('alice')).toEqual({ unread: 1, total: 1 });
  });

  it("lets a user token act on its own alerts and an admin token on anyone's", async () => {
    await seed('alice', 2);
    expect((await call('GET', '/users/alice/alerts/count', ALICE)).body).toEqual({ unread: 2, total: 2 });
    expect((await call('GET', '/users/alice/alerts/count', ADMIN)).body).toEqual({ unread: 2, total: 2 });
  });

  it('answers 503 when the gateway cannot be asked about the token', async () => {
    const reply = await call('GET', '/users/alice/alerts', ALICE, noGateway);
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual(errorBody('unavailable'));
  });
});

describe('list and count', () => {
  it('pages through alerts newest first with next_cursor, ending with null', async () => {
    const ids = await seed('alice', 5);
    await seed('bob', 2);
    const page1 = (await call('GET', '/users/alice/alerts?limit=2', ALICE)).body as Page;
    expect(page1.items.map((a) => a.id)).toEqual([ids[4], ids[3]]);
    expect(page1.items[0]).toEqual({
      id: ids[4],
      user_id: 'alice',
      title: 'Alert 4',
      description: 'Description 4',
      url: null,
      icon: 'bell',
      source: 'Scan Added',
      created_at: '2026-11-23T10:00:04.000Z',
      read_at: null,
      delivery_id: 'e-4:alert:user-alice',
    });
    const page2 = (await call('GET', `/users/alice/alerts?limit=2&cursor=${page1.next_cursor}`, ALICE)).body as Page;
    expect(page2.items.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    const page3 = (await call('GET', `/users/alice/alerts?limit=2&cursor=${page2.next_cursor}`, ALICE)).body as Page;
    expect(page3).toEqual({ items: [expect.objectContaining({ id: ids[0] })], next_cursor: null });
  });

  it('filters unread alerts and counts them', async () => {
    const ids = await seed('alice', 3);
    expect((await call('POST', `/users/alice/alerts/${ids[1]}/read`, ALICE)).status).toBe(200);
    const unread = (await call('GET', '/users/alice/alerts?unread=true', ALICE)).body as Page;
    expect(unread.items.map((a) => a.id)).toEqual([ids[2], ids[0]]);
    const read = (await call('GET', '/users/alice/alerts?unread=false', ALICE)).body as Page;
    expect(read.items.map((a) => a.id)).toEqual([ids[1]]);
    expect((await call('GET', '/users/alice/alerts/count', ALICE)).body).toEqual({ unread: 2, total: 3 });
  });

  it.each<[string, string]>([
    ['limit=0', 'limit'],
    ['limit=many', 'limit'],
    ['unread=yes', 'unread'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('answers 400 naming the parameter for ?%s', async (query, name) => {
    const reply = await call('GET', `/users/alice/alerts?${query}`, ALICE);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.stringContaining(`"${name}"`),
        details: [expect.objectContaining({ path: name })],
      },
    });
  });
});

describe('read and delete', () => {
  it('marks one alert read and returns it; an unknown alert is 404', async () => {
    const [id] = await seed('alice', 1);
    const reply = await call('POST', `/users/alice/alerts/${id}/read`, ALICE);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id, read_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const missing = await call('POST', '/users/alice/alerts/missing/read', ALICE);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorBody('not_found'));
  });

  it('marks all alerts read', async () => {
    await seed('alice', 3);
    await seed('bob', 1);
    const reply = await call('POST', '/users/alice/alerts/read-all', ALICE);
    expect(reply).toMatchObject({ status: 200, body: { marked_read: 3 } });
    expect((await call('GET', '/users/alice/alerts/count', ALICE)).body).toEqual({ unread: 0, total: 3 });
    expect((await call('GET', '/users/bob/alerts/count', BOB)).body).toEqual({ unread: 1, total: 1 });
  });

  it('deletes one alert with 204, then answers 404 for it', async () => {
    const ids = await seed('alice', 2);
    const deleted = await call('DELETE', `/users/alice/alerts/${ids[0]}`, ALICE);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    const again = await call('DELETE', `/users/alice/alerts/${ids[0]}`, ALICE);
    expect(again.status).toBe(404);
    expect(again.body).toEqual(errorBody('not_found'));
    expect(((await call('GET', '/users/alice/alerts', ALICE)).body as Page).items.map((a) => a.id)).toEqual([ids[1]]);
  });

  it("deletes all of a user's alerts with 204 and leaves other users' alone", async () => {
    await seed('alice', 3);
    await seed('bob', 2);
    expect((await call('DELETE', '/users/alice/alerts', ALICE)).status).toBe(204);
    expect((await call('GET', '/users/alice/alerts/count', ALICE)).body).toEqual({ unread: 0, total: 0 });
    expect((await call('GET', '/users/bob/alerts/count', BOB)).body).toEqual({ unread: 2, total: 2 });
  });

  it('answers 404 in the error shape for a path it does not serve', async () => {
    const reply = await call('GET', '/users/alice/alerts/x/y/z', ALICE);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual(errorBody('not_found'));
  });
});

describe('live stream', () => {
  it('sends a newly delivered alert to an open stream within 1 s', async () => {
    const stream = await openStream(serverA, 'alice', ALICE);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const started = Date.now();
    await deliver('ev-live-1', 'alice', 'Live one');
    const frame = await stream.next((f) => f.event === 'alert', 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    const alert = JSON.parse(frame.data!) as AlertJson;
    expect(alert).toMatchObject({
      user_id: 'alice',
      title: 'Live one',
      delivery_id: 'defectdojo:ev-live-1:alert:user-alice',
      read_at: null,
    });
    expect(frame.id).toBe(alert.id);
    stream.close();
  });

  it('sends an alert to streams on both replicas, whichever stored it, and only to its user', async () => {
    const aliceOnA = await openStream(serverA, 'alice', ALICE);
    const aliceOnB = await openStream(serverB, 'alice', ALICE);
    const bobOnB = await openStream(serverB, 'bob', BOB);
    await deliver('ev-live-2', 'bob', 'For Bob');
    await deliver('ev-live-3', 'alice', 'For Alice');
    for (const stream of [aliceOnA, aliceOnB]) {
      const frame = await stream.next((f) => f.event === 'alert', 1_000);
      expect(JSON.parse(frame.data!)).toMatchObject({ user_id: 'alice', title: 'For Alice' });
    }
    await bobOnB.next((f) => f.event === 'alert', 1_000);
    for (const stream of [aliceOnA, aliceOnB]) expect(stream.received().filter((f) => f.event === 'alert')).toHaveLength(1);
    expect(
      bobOnB
        .received()
        .filter((f) => f.event === 'alert')
        .map((f) => (JSON.parse(f.data!) as AlertJson).title),
    ).toEqual(['For Bob']);
    for (const stream of [aliceOnA, aliceOnB, bobOnB]) stream.close();
  });

  it('sends heartbeat comments while idle', async () => {
    const stream = await openStream(serverB, 'alice', ALICE);
    expect(await stream.next((f) => f.comment === 'heartbeat', 1_000)).toEqual({ comment: 'heartbeat' });
    stream.close();
  });

  it('refuses a stream without a token (401) and for another user (403)', async () => {
    const anonymous = await fetch(`${serverA.url}/api/v1/users/alice/alerts/stream`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual(errorBody('unauthorized'));
    const other = await fetch(`${serverA.url}/api/v1/users/alice/alerts/stream`, { headers: { authorization: BOB } });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual(errorBody('forbidden'));
  });
});
