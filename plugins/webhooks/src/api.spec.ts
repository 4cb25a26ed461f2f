/**
 * The webhooks API through a real HTTP server, authenticated by a fake gateway answering the real
 * NATS auth protocol, over real PostgreSQL and real HTTP sinks.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  authenticateViaGateway,
  connectNats,
  pluginHttpHandler,
  SecretBox,
  silentLogger,
  subjects,
  tokenDigest,
  type AuthReply,
  type AuthRequest,
  parseAllowList,
} from '@herald/contracts';
import { resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { openWebhooksPlugin, type OpenedWebhooksPlugin } from './open-webhooks-plugin.js';
import { HttpSink } from './testing/http-sink.js';
import { URL_CREDENTIALS_MESSAGE } from './target-guard.js';
import { SITE_URL } from './testing/messages.js';
import { TestClock } from './testing/test-clock.js';
import { createWebhooksTestDatabase, type WebhooksTestDatabase } from './testing/test-database.js';

const TOKENS: Record<string, AuthReply> = {
  'admin-token': { kind: 'admin' },
  'bob-token': { kind: 'user', user_id: '7' },
  'carol-token': { kind: 'user', user_id: '8' },
};

let db: WebhooksTestDatabase;
let nc: NatsConnection;
let auth: Subscription;
let sink: HttpSink;
let server: Server;
let base: string;
let opened: OpenedWebhooksPlugin;
const clock = new TestClock('2026-11-23T10:00:00Z');
const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

beforeAll(async () => {
  db = await createWebhooksTestDatabase();
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'webhooks-api-test' });
  const prefix = uniquePrefix('wh_api');
  auth = nc.subscribe(subjects(prefix).internal('auth'), {
    callback: (error, msg) => {
      if (error) return;
      const { token_sha256: digest } = msg.json<AuthRequest>();
      const reply = Object.entries(TOKENS).find(([token]) => tokenDigest(token) === digest)?.[1];
      msg.respond(JSON.stringify(reply ?? { kind: 'invalid' }));
    },
  });
  await nc.flush();
  sink = await HttpSink.start();
  opened = await openWebhooksPlugin({
    pool: db.pool,
    nc,
    prefix,
    logger: silentLogger,
    secretKey: SecretBox.generateKey(),
    siteUrl: SITE_URL,
    allowPrivate: parseAllowList('127.0.0.0/8,::1/128'),
    clock,
  });
  const app = express();
  app.use(
    pluginHttpHandler(opened.plugin, {
      logger: silentLogger,
      authenticate: (header) => authenticateViaGateway(nc, subjects(prefix).internal('auth'), header),
      config: () => ({ timeout_seconds: 2 }),
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  opened.close();
  auth.unsubscribe();
  await nc.drain();
  await sink.close();
  await db.drop();
});

beforeEach(async () => {
  await db.pool.query('delete from webhooks.endpoints');
  sink.requests.length = 0;
  sink.respondWith((request) => {
    const match = /^\/status\/(\d{3})/.exec(request.path);
    return { status: match ? Number(match[1]) : 200 };
  });
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const create = (token: string, body: Record<string, unknown>): Promise<Answer> => call('POST', '/webhooks', token, body);
const errorOf = (answer: Answer): { code: string; message: string; details: Array<{ path: string; message: string }> } =>
  answer.body['error'] as { code: string; message: string; details: Array<{ path: string; message: string }> };

describe('authentication', () => {
  it('401 without a token or with an unknown one', async () => {
    expect((await call('GET', '/webhooks', null)).status).toBe(401);
    const unknown = await call('GET', '/webhooks', 'nope');
    expect(unknown.status).toBe(401);
    expect(errorOf(unknown).code).toBe('unauthorized');
  });
});

describe('creating endpoints', () => {
  it('an admin creates a system endpoint: pinged first, secrets write-only and sealed at rest', async () => {
    const answer = await create('admin-token', {
      name: 'ops',
      url: sink.url('/ops'),
      header_name: 'X-Api-Key',
      header_value: 'plain-key-value',
      signing_secrets: [secret],
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(String),
      name: 'ops',
      url: sink.url('/ops'),
      header_name: 'X-Api-Key',
      header_value: { configured: true },
      signing_secrets: { configured: true },
      owner: null,
      status: 'active',
      first_error: null,
      last_error: null,
      note: null,
      created_at: '2026-11-23T10:00:00.000Z',
      updated_at: '2026-11-23T10:00:00.000Z',
    });
    expect(JSON.stringify(answer.body)).not.toContain('plain-key-value');
    expect(sink.requests).toHaveLength(1);
    expect(sink.requests[0]?.headers['x-herald-event']).toBe('ping');
    expect(sink.requests[0]?.headers['x-api-key']).toBe('plain-key-value');
    const raw = (await db.pool.query('select header_value, signing_secrets from webhooks.endpoints')).rows as Array<{
      header_value: string;
      signing_secrets: string;
    }>;
    expect(raw[0]?.header_value).toMatch(/^enc:v1:[^:]+:[^:]+:[^:]+$/);
    expect(raw[0]?.signing_secrets).toMatch(/^enc:v1:/);
    expect(JSON.stringify(raw)).not.toContain('plain-key-value');
    expect(JSON.stringify(raw)).not.toContain(secret.slice(6));
  });

  it('"skip_ping": true creates without pinging', async () => {
    expect((await create('admin-token', { name: 'quiet', url: sink.url('/quiet'), skip_ping: true })).status).toBe(201);
    expect(sink.requests).toHaveLength(0);
  });

  it('a failed ping refuses the creation (422) and creates nothing', async () => {
    const answer = await create('admin-token', { name: 'down', url: sink.url('/status/500') });
    expect(answer.status).toBe(422);
    expect(errorOf(answer)).toEqual({
      code: 'ping_failed',
      message: 'Test of endpoint was not successful: Response status code: 500 (send "skip_ping": true to create it anyway)',
      details: [{ path: 'url', message: 'Response status code: 500' }],
    });
    expect((await call('GET', '/webhooks', 'admin-token')).body['items']).toEqual([]);
  });

  it.each([
    [
      'http://169.254.169.254/latest',
      'refusing http://169.254.169.254/latest: resolves to 169.254.169.254 (metadata); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=169.254.169.254/32',
    ],
    [
      'http://10.1.2.3/hook',
      'refusing http://10.1.2.3/hook: resolves to 10.1.2.3 (private); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=10.0.0.0/8',
    ],
    [
      'http://[fd00::1]/hook',
      'refusing http://[fd00::1]/hook: resolves to fd00::1 (unique-local); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=fc00::/7',
    ],
  ])('refuses the unsafe target %s', async (url, message) => {
    const answer = await create('admin-token', { name: 'evil', url, skip_ping: true });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toEqual({ code: 'unsafe_target', message, details: [{ path: 'url', message }] });
  });

  it.each([
    ['http://ann:s3cr3tpw@127.0.0.1/hook', '"http://***@127.0.0.1/hook"'],
    ['http://tok3nvalue@127.0.0.1/hook', '"http://***@127.0.0.1/hook"'],
    ['https://:s3cr3tpw@127.0.0.1/hook', '"https://***@127.0.0.1/hook"'],
  ])('refuses a URL with credentials (%s) on create and PATCH, pointing to the custom header', async (url, shown) => {
    const message = `${shown}: ${URL_CREDENTIALS_MESSAGE}`;
    const answer = await create('admin-token', { name: 'creds', url });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toEqual({ code: 'validation_failed', message, details: [{ path: 'url', message }] });
    expect(errorOf(answer).message).toContain('"header_name": "Authorization"');
    expect(JSON.stringify(answer.body)).not.toMatch(/s3cr3tpw|tok3nvalue|ann:/);
    expect(sink.requests).toHaveLength(0);
    expect((await db.pool.query('select count(*)::int as n from webhooks.endpoints')).rows[0]).toEqual({ n: 0 });

    const created = await create('admin-token', { name: 'plain', url: sink.url(), skip_ping: true });
    const id = String(created.body['id']);
    const patched = await call('PATCH', `/webhooks/${id}`, 'admin-token', { url });
    expect(patched.status).toBe(400);
    expect(errorOf(patched)).toEqual({ code: 'validation_failed', message, details: [{ path: 'url', message }] });
    expect((await call('GET', `/webhooks/${id}`, 'admin-token')).body['url']).toBe(sink.url());
  });

  it('never echoes credentials of a URL stored before they were refused', async () => {
    const created = await create('admin-token', { name: 'legacy', url: sink.url('/legacy'), skip_ping: true });
    const id = String(created.body['id']);
    await db.pool.query(`update webhooks.endpoints set url = $2 where id = $1`, [
      id,
      `http://olduser:oldpass@127.0.0.1:${sink.port}/legacy`,
    ]);
    const shown = `http://***@127.0.0.1:${sink.port}/legacy`;
    expect((await call('GET', `/webhooks/${id}`, 'admin-token')).body['url']).toBe(shown);
    const list = await call('GET', '/webhooks', 'admin-token');
    expect((list.body['items'] as Array<{ url: string }>).map((i) => i.url)).toEqual([shown]);
    const test = await call('POST', `/webhooks/${id}/test`, 'admin-token');
    expect(test.body).toEqual({
      event: 'ping',
      ok: false,
      detail: `endpoint "legacy" (${id}): Exception: "${shown}": ${URL_CREDENTIALS_MESSAGE}`,
    });
    expect(JSON.stringify([list.body, test.body])).not.toMatch(/olduser|oldpass/);
    expect(sink.requests).toHaveLength(0);
  });

  it.each([
    ['header_name', { header_name: 'X-Evil\r\nInjected: yes', header_value: 'v' }, 'must not contain CR or LF (header injection)'],
    ['header_value', { header_name: 'X-Key', header_value: 'v\r\nInjected: yes' }, 'must not contain CR or LF (header injection)'],
    ['header_name', { header_name: 'Bad Name', header_value: 'v' }, 'contains characters not allowed in an HTTP header name'],
    [
      'header_value',
      { header_name: 'X-Key', header_value: 'caf\u00e9\u0007' },
      'contains characters not allowed in an HTTP header value (control or non-ASCII characters)',
    ],
    ['header_name', { header_name: 'webhook-signature', header_value: 'v' }, '"webhook-signature" is set by Herald and cannot be replaced'],
    ['signing_secrets[0]', { signing_secrets: ['not-a-secret'] }, 'must start with "whsec_" (Standard Webhooks secret)'],
  ])('refuses a bad %s with an error naming the field', async (path, fields, message) => {
    const answer = await create('admin-token', { name: 'x', url: sink.url(), skip_ping: true, ...fields });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe('validation_failed');
    expect(errorOf(answer).details).toContainEqual(expect.objectContaining({ path, message }));
  });

  it('refuses unknown fields, malformed JSON and duplicate names', async () => {
    expect(errorOf(await create('admin-token', { name: 'x', url: sink.url(), bogus: 1 })).details[0]?.path).toBe('bogus');
    const malformed = await call('POST', '/webhooks', 'admin-token', '{"name":');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe('malformed_json');
    expect((await create('admin-token', { name: 'dup', url: sink.url(), skip_ping: true })).status).toBe(201);
    const duplicate = await create('admin-token', { name: 'dup', url: sink.url(), skip_ping: true });
    expect(duplicate.status).toBe(409);
    expect(errorOf(duplicate).code).toBe('conflict');
  });
});

describe('owners', () => {
  it('a user token creates endpoints it owns, sees only those, and cannot touch others', async () => {
    const bobs = await create('bob-token', { name: 'bob-hook', url: sink.url('/bob') });
    expect(bobs.status).toBe(201);
    expect(bobs.body['owner']).toBe('7');
    const forbidden = await create('bob-token', { name: 'not-mine', url: sink.url(), owner: '8', skip_ping: true });
    expect(forbidden.status).toBe(403);
    const system = await create('admin-token', { name: 'system-hook', url: sink.url('/system'), skip_ping: true });
    const carols = await create('carol-token', { name: 'carol-hook', url: sink.url('/carol'), skip_ping: true });

    const names = (answer: Answer): string[] => (answer.body['items'] as Array<{ name: string }>).map((i) => i.name);
    expect(names(await call('GET', '/webhooks', 'bob-token'))).toEqual(['bob-hook']);
    expect(names(await call('GET', '/webhooks', 'admin-token'))).toEqual(['bob-hook', 'carol-hook', 'system-hook']);
    expect(names(await call('GET', '/webhooks?owner=none', 'admin-token'))).toEqual(['system-hook']);
    expect(names(await call('GET', '/webhooks?owner=8', 'admin-token'))).toEqual(['carol-hook']);

    for (const other of [system, carols]) {
      const id = String(other.body['id']);
      expect((await call('GET', `/webhooks/${id}`, 'bob-token')).status).toBe(404);
      expect((await call('PATCH', `/webhooks/${id}`, 'bob-token', { note: 'mine now' })).status).toBe(404);
      expect((await call('DELETE', `/webhooks/${id}`, 'bob-token')).status).toBe(404);
      expect((await call('POST', `/webhooks/${id}/deactivate`, 'bob-token')).status).toBe(404);
    }
    expect((await call('GET', `/webhooks/${String(bobs.body['id'])}`, 'bob-token')).body['name']).toBe('bob-hook');
  });

  it('lists page with next_cursor', async () => {
    for (const name of ['a', 'b', 'c']) await create('admin-token', { name, url: sink.url(), skip_ping: true });
    const first = await call('GET', '/webhooks?limit=2', 'admin-token');
    expect((first.body['items'] as Array<{ name: string }>).map((i) => i.name)).toEqual(['a', 'b']);
    const second = await call('GET', `/webhooks?limit=2&cursor=${String(first.body['next_cursor'])}`, 'admin-token');
    expect((second.body['items'] as Array<{ name: string }>).map((i) => i.name)).toEqual(['c']);
    expect(second.body['next_cursor']).toBeNull();
  });
});

describe('managing an endpoint', () => {
  it('PATCH changes fields, re-checks the URL, and can remove the header and the signing secrets', async () => {
    const created = await create('admin-token', {
      name: 'm',
      url: sink.url(),
      header_name: 'X-Key',
      header_value: 'v',
      signing_secrets: [secret],
      skip_ping: true,
    });
    const id = String(created.body['id']);
    const unsafe = await call('PATCH', `/webhooks/${id}`, 'admin-token', { url: 'http://192.168.1.1/' });
    expect(unsafe.status).toBe(400);
    expect(errorOf(unsafe).message).toContain('resolves to 192.168.1.1 (private)');
    const patched = await call('PATCH', `/webhooks/${id}`, 'admin-token', {
      name: 'renamed',
      header_name: null,
      signing_secrets: [],
      note: 'moved',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'renamed',
      header_name: null,
      header_value: { configured: false },
      signing_secrets: { configured: false },
      note: 'moved',
    });
    const half = await call('PATCH', `/webhooks/${id}`, 'admin-token', { header_value: 'orphan' });
    expect(half.status).toBe(400);
  });

  it('POST /test sends ping and reports the result without changing the status', async () => {
    const ok = await create('admin-token', { name: 'ok', url: sink.url('/fine'), skip_ping: true });
    expect((await call('POST', `/webhooks/${String(ok.body['id'])}/test`, 'admin-token')).body).toEqual({
      event: 'ping',
      ok: true,
      detail: 'Response status code: 200',
    });
    expect(sink.requests.map((r) => r.headers['x-herald-event'])).toEqual(['ping']);
    const bad = await create('admin-token', { name: 'bad', url: sink.url('/status/503'), skip_ping: true });
    const id = String(bad.body['id']);
    expect((await call('POST', `/webhooks/${id}/test`, 'admin-token')).body).toEqual({
      event: 'ping',
      ok: false,
      detail: `endpoint "bad" (${id}): Response status code: 503`,
    });
    expect((await call('GET', `/webhooks/${id}`, 'admin-token')).body['status']).toBe('active');
  });

  it('deactivate → inactive_permanent; activate → active with errors cleared; delete → gone', async () => {
    const created = await create('admin-token', { name: 'toggle', url: sink.url(), skip_ping: true });
    const id = String(created.body['id']);
    await db.pool.query(
      `update webhooks.endpoints set status = 'inactive_tmp', first_error = now(), last_error = now(), note = 'Response status code: 500' where id = $1`,
      [id],
    );
    expect((await call('POST', `/webhooks/${id}/deactivate`, 'admin-token')).body).toMatchObject({
      status: 'inactive_permanent',
      note: 'Deactivated by user',
    });
    expect((await call('POST', `/webhooks/${id}/activate`, 'admin-token')).body).toMatchObject({
      status: 'active',
      first_error: null,
      last_error: null,
      note: null,
    });
    expect((await call('DELETE', `/webhooks/${id}`, 'admin-token')).status).toBe(204);
    expect((await call('GET', `/webhooks/${id}`, 'admin-token')).status).toBe(404);
  });
});
