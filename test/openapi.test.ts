/**
 * The OpenAPI document at `/api/docs/openapi.json`, against a gateway with the alerts and webhooks
 * APIs mounted on its port as the all-in-one process mounts them (real NATS and PostgreSQL):
 * it is valid OpenAPI 3.1; every route the HTTP server registers (read from Express's routing
 * table and the plugin routers, not from a list) is documented with its method, and every
 * documented operation is served; real answers — successes and errors — match the schema
 * documented for their status (ajv, JSON Schema 2020-12).
 */
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type pg from 'pg';
import {
  authenticateViaGateway,
  openApiPath,
  pluginHttpHandler,
  silentLogger,
  subjects,
  topology,
  type HttpHandler,
  type PluginHttpContext,
} from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { gatewayOpenApi, startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ALERTS_API, openAlertDatabase, openAlertPlugin, type OpenedAlertPlugin } from '../plugins/alert/src/index.js';
import { parseAllowList } from '@herald/contracts';
import {
  DEFAULT_WEBHOOKS_CONFIG,
  openWebhooksDatabase,
  openWebhooksPlugin,
  WEBHOOKS_API,
  type OpenedWebhooksPlugin,
} from '../plugins/webhooks/src/index.js';
import { UnsubscribeTokens } from '../gateway/src/unsubscribe/unsubscribe-token.js';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, testGatewayConfig } from './support/gateway-config.js';
import { expressRoutes, type RegisteredRoute } from './support/express-routes.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;

const prefix = uniquePrefix('openapi');
let nc: NatsConnection;
let db: TestDatabase;
let pools: pg.Pool[] = [];
let alert: OpenedAlertPlugin;
let webhooks: OpenedWebhooksPlugin;
let alertContext: PluginHttpContext<Record<string, never>>;
let webhooksContext: PluginHttpContext<typeof DEFAULT_WEBHOOKS_CONFIG>;
let gateway: RunningGateway;
let base: string;
let document: Json;
let userToken: string;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Routes the Swagger UI serves for itself at /api/docs (its page's files, not API operations). */
const SWAGGER_UI_FILES = /^\/api\/docs\/(index\.html|swagger-ui-init\.js|docs\/swagger-ui-init\.js|LICENSE)$/;

function pluginRouter(handler: HttpHandler): { stack: unknown[] } {
  return (handler as HttpHandler & { router: { stack: unknown[] } }).router;
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  const authenticate = (header: string | undefined) => authenticateViaGateway(nc, subjects(prefix).internal('auth'), header);
  const alertPool = openAlertDatabase({ databaseUrl: db.url, dataDir: tmpdir(), logger: silentLogger });
  const webhooksPool = openWebhooksDatabase({ databaseUrl: db.url, dataDir: tmpdir(), logger: silentLogger });
  pools = [alertPool, webhooksPool];
  alert = await openAlertPlugin({ pool: alertPool, nc, prefix, logger: silentLogger });
  webhooks = await openWebhooksPlugin({
    pool: webhooksPool,
    nc,
    prefix,
    logger: silentLogger,
    secretKey: TEST_SECRET_KEY,
    siteUrl: 'http://localhost:8080',
    allowPrivate: parseAllowList('127.0.0.0/8'),
  });
  alertContext = { logger: silentLogger, authenticate, config: () => ({}) };
  webhooksContext = { logger: silentLogger, authenticate, config: () => DEFAULT_WEBHOOKS_CONFIG };
  gateway = await startGateway({
    config: testGatewayConfig(url, prefix, db.url),
    logger: silentLogger,
    apiHandlers: [pluginHttpHandler(alert.plugin, alertContext), pluginHttpHandler(webhooks.plugin, webhooksContext)],
    apiOperations: [...ALERTS_API, ...WEBHOOKS_API],
  });
  base = `http://127.0.0.1:${gateway.port}`;
  const response = await fetch(`${base}/api/docs/openapi.json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as Json;
  ajv.addSchema({ $id: 'https://herald.invalid/openapi.json', components: document['components'] });
});

afterAll(async () => {
  await gateway?.close();
  alert?.close();
  webhooks?.close();
  await webhooks?.resumer.stop();
  for (const pool of pools) await pool.end();
  await deleteTopology(nc, topology({ prefix }));
  await nc?.close();
  await db?.drop();
});

/** The response object documented for `status` of `method template`, `$ref`s resolved; fails when absent. */
function documentedResponse(method: string, template: string, status: number): Json {
  const operation = (document['paths'] as Record<string, Record<string, Json> | undefined>)[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${template} is not in the document`);
  const responses = operation['responses'] as Record<string, Json>;
  let response = responses[String(status)];
  if (!response) throw new Error(`${method} ${template} answered ${status}, which the document does not list`);
  const ref = response['$ref'];
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/responses/', '');
    response = ((document['components'] as Json)['responses'] as Record<string, Json>)[name]!;
  }
  return response;
}

function validatorFor(schema: unknown): ValidateFunction {
  const text = JSON.stringify(schema).replaceAll('"#/components/', '"https://herald.invalid/openapi.json#/components/');
  let validate = compiled.get(text);
  if (!validate) {
    validate = ajv.compile(JSON.parse(text) as object);
    compiled.set(text, validate);
  }
  return validate;
}

interface Call {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Calls `method template` (path parameters filled from `params`) and checks the answer against the
 * document: its status is listed, its content type is the documented one and its JSON body matches
 * the documented schema.
 */
async function call(
  method: string,
  template: string,
  options: { params?: Record<string, string>; query?: string; body?: unknown; token?: string | null } = {},
): Promise<Call> {
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(options.params?.[name] ?? ''));
  const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
  const response = await fetch(`${base}${path}${options.query ?? ''}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: options.body === undefined ? null : JSON.stringify(options.body),
  });
  const text = await response.text();
  const documented = documentedResponse(method, template, response.status);
  const content = documented['content'] as Record<string, { schema: unknown }> | undefined;
  if (content === undefined) {
    expect(text).toBe('');
    return { status: response.status, body: null };
  }
  const [mediaType, { schema }] = Object.entries(content)[0]!;
  expect(response.headers.get('content-type')?.split(';')[0]).toBe(mediaType.split(';')[0]);
  if (mediaType !== 'application/json') return { status: response.status, body: text };
  const body = JSON.parse(text) as unknown;
  const validate = validatorFor(schema);
  if (!validate(body)) {
    throw new Error(
      `${method} ${path} → ${response.status}: the body does not match the documented schema: ${ajv.errorsText(validate.errors)}\n${text}`,
    );
  }
  return { status: response.status, body };
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every route the HTTP server registers, and nothing it does not serve', () => {
    const express = gateway.app.getHttpAdapter().getInstance() as { router: { stack: unknown[] } };
    const registered: RegisteredRoute[] = [
      ...expressRoutes(express.router.stack),
      ...expressRoutes(pluginRouter(alert.plugin.http!(alertContext)).stack, '/api/v1'),
      ...expressRoutes(pluginRouter(webhooks.plugin.http!(webhooksContext)).stack, '/api/v1'),
    ].filter((route) => !SWAGGER_UI_FILES.test(route.path));
    const served = new Set(registered.map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)}`));
    const documented = new Set(
      Object.entries(document['paths'] as Record<string, Json>).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !served.has(route))).toEqual([]);
    // the plugin APIs and the unprefixed routes are in it, as served
    for (const route of [
      'GET /api/v1/users/{id}/alerts',
      'POST /api/v1/webhooks',
      'GET /health/ready',
      'GET /metrics',
      'GET /api/v1/channels',
    ]) {
      expect(documented.has(route)).toBe(true);
    }
    expect(served.size).toBeGreaterThan(60);
  });

  it('has an @ApiDoc for every gateway route (a route without one is reported)', () => {
    expect(gatewayOpenApi(gateway.app).undocumented).toEqual([]);
  });

  it('has schemas strict enough to catch a wrong answer', () => {
    const content = documentedResponse('GET', '/api/v1/channels', 200)['content'] as Record<string, { schema: unknown }>;
    const validate = validatorFor(content['application/json']!.schema);
    const channel = {
      name: 'mail',
      builtin: true,
      enabled: false,
      configured: false,
      config_valid: null,
      config_errors: [],
      registered: false,
      registered_version: null,
      config_schema: null,
      secret_fields: [],
      plugin: null,
      live: false,
    };
    expect(validate({ items: [channel], next_cursor: null })).toBe(true);
    expect(validate({ items: [{ ...channel, enabled: 'no' }], next_cursor: null })).toBe(false);
    expect(validate({ items: [{ ...channel, extra: 1 }], next_cursor: null })).toBe(false);
    expect(validate({ items: [channel] })).toBe(false);
  });

  it('describes the bearer scheme, admin and user access, and the error model', () => {
    const paths = document['paths'] as Record<string, Record<string, Json>>;
    const components = document['components'] as Record<string, Record<string, Json>>;
    expect(components['securitySchemes']!['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(paths['/api/v1/settings/system']!['get']).toMatchObject({ security: [{ bearer: [] }], 'x-herald-access': 'admin' });
    expect(paths['/api/v1/users/{id}/settings']!['put']).toMatchObject({ 'x-herald-access': 'user' });
    expect(paths['/health/live']!['get']).toMatchObject({ security: [], 'x-herald-access': 'public' });
    expect(components['schemas']!['Error']).toMatchObject({ required: ['error'] });
    const deliveries = paths['/api/v1/deliveries']!['get']!;
    expect((deliveries['parameters'] as Json[]).map((p) => p['name'])).toEqual([
      'event_id',
      'user_id',
      'channel',
      'outcome',
      'cursor',
      'limit',
    ]);
    const putUser = paths['/api/v1/users/{id}']!['put']!;
    expect(putUser['requestBody']).toMatchObject({ content: { 'application/json': { schema: { required: ['username'] } } } });
    expect(Object.keys(putUser['responses'] as Json)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '403', '404', 'default']),
    );
  });
});

describe('real answers match their documented schemas', () => {
  it('directory, tokens, settings and channels', async () => {
    expect(
      (await call('PUT', '/api/v1/users/{id}', { params: { id: 'u1' }, body: { username: 'ann', email: 'ann@example.com' } })).status,
    ).toBe(201);
    expect(
      (await call('PUT', '/api/v1/users/{id}', { params: { id: 'u1' }, body: { username: 'ann', email: 'ann@example.com' } })).status,
    ).toBe(200);
    await call('GET', '/api/v1/users/{id}', { params: { id: 'u1' } });
    await call('PUT', '/api/v1/product-types/{id}', { params: { id: 'pt1' }, body: { name: 'Web' } });
    await call('PUT', '/api/v1/products/{id}', { params: { id: 'p1' }, body: { name: 'Shop', product_type_id: 'pt1' } });
    await call('PUT', '/api/v1/products/{id}/members/{userId}', { params: { id: 'p1', userId: 'u1' }, body: { role: 'Owner' } });
    const members = await call('GET', '/api/v1/products/{id}/members', { params: { id: 'p1' } });
    expect((members.body as { items: unknown[] }).items).toHaveLength(1);
    await call('PUT', '/api/v1/engagements/{id}', {
      params: { id: 'e1' },
      body: { name: 'Audit', product_id: 'p1', target_start: '2026-01-01', target_end: '2026-02-01' },
    });

    const created = await call('POST', '/api/v1/tokens', { body: { user_id: 'u1' } });
    expect(created.status).toBe(201);
    userToken = (created.body as { token: string }).token;
    const tokens = await call('GET', '/api/v1/tokens');
    expect((tokens.body as { items: unknown[] }).items.length).toBeGreaterThan(0);

    await call('GET', '/api/v1/settings/system');
    await call('PUT', '/api/v1/settings/system', { body: { events: { scan_added: ['alert'] } } });
    await call('PATCH', '/api/v1/settings/system', { body: { events: { scan_added: ['alert', 'mail'] } } });
    await call('GET', '/api/v1/users/{id}/settings', { params: { id: 'u1' }, token: userToken });
    await call('PUT', '/api/v1/users/{id}/settings', {
      params: { id: 'u1' },
      body: { events: { scan_added: ['alert'] } },
      token: userToken,
    });
    await call('PUT', '/api/v1/users/{id}/settings/products/{productId}', {
      params: { id: 'u1', productId: 'p1' },
      body: { events: { scan_added: ['alert'] } },
    });
    const rows = await call('GET', '/api/v1/users/{id}/settings/products', { params: { id: 'u1' } });
    expect((rows.body as { items: unknown[] }).items).toHaveLength(1);

    const channels = await call('GET', '/api/v1/channels');
    expect((channels.body as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(5);
    await call('PUT', '/api/v1/channels/{channel}/config', {
      params: { channel: 'slack' },
      body: { enabled: true, settings: { token: 'xoxb-1' } },
    });
    await call('GET', '/api/v1/channels/{channel}/config', { params: { channel: 'slack' } });
    const types = await call('GET', '/api/v1/event-types');
    expect((types.body as { items: unknown[] }).items.length).toBeGreaterThan(10);
  });

  it('events: ingress, decisions, deliveries, schedules', async () => {
    const event = {
      specversion: '1.0',
      id: 'openapi-1',
      source: 'defectdojo',
      type: 'scan_added',
      data: { recipients: ['ann'], description: 'scan done' },
    };
    expect((await call('POST', '/api/v1/events', { body: event })).status).toBe(202);
    const decided = await waitFor(
      () => fetch(`${base}/api/v1/events/openapi-1/decisions`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }),
      (response) => response.status === 200,
      15_000,
    );
    expect(decided.status).toBe(200);
    await call('GET', '/api/v1/events/{eventId}/decisions', { params: { eventId: 'openapi-1' } });
    const deliveries = await call('GET', '/api/v1/deliveries', { query: '?event_id=openapi-1' });
    expect((deliveries.body as { items: unknown[] }).items.length).toBeGreaterThan(0);
    await call('GET', '/api/v1/deliveries', { token: userToken });
    await call('GET', '/api/v1/dead-letters');

    const schedule = await call('POST', '/api/v1/schedules', {
      body: { idempotency_key: 'k1', deliver_at: '2099-01-01T00:00:00Z', event: { ...event, id: 'openapi-2' } },
    });
    expect(schedule.status).toBe(201);
    const scheduled = await call('GET', '/api/v1/schedules');
    expect((scheduled.body as { items: unknown[] }).items).toHaveLength(1);
    const id = (schedule.body as { id: string }).id;
    await call('GET', '/api/v1/schedules/{id}', { params: { id } });
    expect((await call('DELETE', '/api/v1/schedules/{id}', { params: { id } })).status).toBe(204);
  });

  it('alerts (plugin API on the gateway port)', async () => {
    await alert.store.insert({
      delivery_id: 'd-openapi-1',
      user_id: 'u1',
      title: 'Scan added',
      description: 'scan done',
      url: null,
      icon: 'info',
      source: 'Scan added',
    });
    const list = await call('GET', '/api/v1/users/{id}/alerts', { params: { id: 'u1' }, token: userToken });
    const items = (list.body as { items: Array<{ id: string }> }).items;
    expect(items).toHaveLength(1);
    await call('GET', '/api/v1/users/{id}/alerts/count', { params: { id: 'u1' } });
    await call('POST', '/api/v1/users/{id}/alerts/{alertId}/read', { params: { id: 'u1', alertId: items[0]!.id } });
    await call('POST', '/api/v1/users/{id}/alerts/read-all', { params: { id: 'u1' } });
    expect((await call('GET', '/api/v1/users/{id}/alerts', { params: { id: 'u2' }, token: userToken })).status).toBe(403);
  });

  it('webhooks (plugin API on the gateway port)', async () => {
    const created = await call('POST', '/api/v1/webhooks', {
      body: { name: 'ops', url: 'http://127.0.0.1:9/hook', signing_secrets: [], skip_ping: true },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const list = await call('GET', '/api/v1/webhooks');
    expect((list.body as { items: unknown[] }).items).toHaveLength(1);
    await call('GET', '/api/v1/webhooks/{id}', { params: { id } });
    await call('PATCH', '/api/v1/webhooks/{id}', { params: { id }, body: { note: 'paged at night' } });
    await call('POST', '/api/v1/webhooks/{id}/deactivate', { params: { id } });
    expect(
      (await call('POST', '/api/v1/webhooks', { body: { name: 'ops', url: 'http://127.0.0.1:9/hook', skip_ping: true } })).status,
    ).toBe(409);
    expect((await call('POST', '/api/v1/webhooks', { body: { name: 'x', url: 'http://127.0.0.1:9/hook', nope: 1 } })).status).toBe(400);
  });

  it('errors: 400, 401, 403, 404, 415 in the documented error shape', async () => {
    expect((await call('GET', '/api/v1/users/{id}', { params: { id: 'nobody' } })).status).toBe(404);
    expect((await call('GET', '/api/v1/settings/system', { token: null })).status).toBe(401);
    expect((await call('GET', '/api/v1/settings/system', { token: userToken })).status).toBe(403);
    expect((await call('PUT', '/api/v1/users/{id}', { params: { id: 'u9' }, body: { email: 'x@example.com' } })).status).toBe(400);
    expect((await call('GET', '/api/v1/deliveries', { query: '?outcome=lost' })).status).toBe(400);
    expect((await call('GET', '/api/v1/tokens', { query: '?limit=0' })).status).toBe(400);
    expect((await call('GET', '/api/v1/webhooks/{id}', { params: { id: 'missing' } })).status).toBe(404);
    expect((await call('GET', '/api/v1/users/{id}/alerts', { params: { id: 'u1' }, token: null })).status).toBe(401);
    const response = await fetch(`${base}/api/v1/users/u1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(response.status).toBe(415);
    expect(documentedResponse('PUT', '/api/v1/users/{id}', 415)['content']).toBeDefined();
    expect(validatorFor({ $ref: '#/components/schemas/Error' })(await response.json())).toBe(true);
  });

  it('one-click unsubscribe (public, HTML pages)', async () => {
    const token = UnsubscribeTokens.fromSecretKey(TEST_SECRET_KEY).issue({ userId: 'u1', column: 'scan_added', channel: 'mail' });
    const page = await call('GET', '/api/v1/unsubscribe/{token}', { params: { token }, token: null });
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('<form method="post">');
    const done = await call('POST', '/api/v1/unsubscribe/{token}', {
      params: { token },
      body: { 'List-Unsubscribe': 'One-Click' },
      token: null,
    });
    expect(done.status).toBe(200);
    expect((await call('GET', '/api/v1/unsubscribe/{token}', { params: { token: 'x' }, token: null })).status).toBe(400);
    expect((await call('GET', '/api/v1/unsubscribe/{token}', { params: { token: `${token}A` }, token: null })).status).toBe(404);
    const document_ = document['paths'] as Record<string, Record<string, Json>>;
    expect(document_['/api/v1/unsubscribe/{token}']!['post']!['requestBody']).toMatchObject({
      content: { 'application/x-www-form-urlencoded': { schema: { required: ['List-Unsubscribe'] } } },
    });
  });

  it('health, metrics and the documents themselves', async () => {
    await call('GET', '/health/live', { token: null });
    expect((await call('GET', '/health/ready', { token: null })).status).toBe(200);
    const metrics = await call('GET', '/metrics', { token: null });
    expect(String(metrics.body)).toContain('# HELP');
    await call('GET', '/api/docs/asyncapi.json', { token: null });
    await call('GET', '/api/docs/openapi.json', { token: null });
  });
});
