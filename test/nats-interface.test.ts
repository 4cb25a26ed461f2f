/**
 * Herald's NATS interface as other services see it, against a running gateway, real NATS and
 * PostgreSQL: the AsyncAPI 3.0 document (valid per `@asyncapi/parser`, served by the gateway,
 * describing the messages Herald really publishes on the deliver, status and dead-letter subjects,
 * and an event built by hand from it is one the gateway accepts), and the typed publisher of
 * `@herald/contracts` (validated before sending, `Nats-Msg-Id` = `<source>:<id>`, accepted by the gateway).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Parser } from '@asyncapi/parser';
import { headers as natsHeaders, connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { z } from 'zod';
import {
  asyncApiDocument,
  definePlugin,
  EVENT_CATALOGUE,
  eventPublisher,
  HeraldError,
  outcomes,
  parseEvent,
  runPlugin,
  silentLogger,
  topology,
  type CatalogueEventType,
  type ChannelMessage,
  type EventPublisher,
  type RunningPlugin,
} from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, statusesInReport, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, testGatewayConfig } from './support/gateway-config.js';
import { addFormats, Ajv, describeErrors } from './support/json-schema.js';

const prefix = uniquePrefix('nats_if');
const topo = topology({ prefix });
const document = asyncApiDocument({ prefix }) as {
  channels: Record<string, { address: string | null; messages: Record<string, { $ref: string }> }>;
  components: { schemas: Record<string, object>; messages: Record<string, { payload: object; headers?: object }> };
};

interface Captured {
  readonly subject: string;
  readonly headers: Record<string, string>;
  readonly payload: unknown;
}

let nc: NatsConnection;
let db: TestDatabase;
let gateway: RunningGateway;
let plugin: RunningPlugin;
let admin: ApiClient;
let base: string;
let publisher: EventPublisher;
const captured: Captured[] = [];
const subscriptions: Subscription[] = [];

/** Ajv holding the document's component schemas, so `#/components/schemas/…` references resolve. */
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ components: document.components }, 'asyncapi');
const validatorFor = (schema: object) =>
  ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"asyncapi#/components/')) as object);

/** The channel of `document` whose address (with `{parameters}` as one token each) matches `subject`. */
function channelOf(subject: string): string {
  const matches = Object.entries(document.channels).filter(([, channel]) => {
    if (channel.address === null) return false;
    const pattern = channel.address.split('.').map((token) => (/^\{.+\}$/.test(token) ? '[^.]+' : token.replace(/[-_]/g, '\\$&')));
    return new RegExp(`^${pattern.join('\\.')}$`).test(subject);
  });
  expect(matches.map(([name]) => name)).toHaveLength(1);
  return matches[0]![0];
}

/** Problems validating a captured message against its channel's messages (payload and headers); empty when one message fits. */
function problems(message: Captured): string[] {
  const channel = document.channels[channelOf(message.subject)]!;
  const perMessage = Object.values(channel.messages).map((reference) => {
    const definition = document.components.messages[reference.$ref.split('/').at(-1)!]!;
    const payload = validatorFor(definition.payload);
    const errors = payload(message.payload) ? [] : describeErrors(payload.errors).map((e) => `payload ${e}`);
    if (definition.headers) {
      const headers = validatorFor(definition.headers);
      if (!headers(message.headers)) errors.push(...describeErrors(headers.errors).map((e) => `headers ${e}`));
    }
    return errors;
  });
  return perMessage.some((errors) => errors.length === 0) ? [] : perMessage.flat();
}

function capture(subject: string): void {
  subscriptions.push(
    nc.subscribe(subject, {
      callback: (error, msg: Msg) => {
        if (error) return;
        const headers: Record<string, string> = {};
        if (msg.headers) for (const key of msg.headers.keys()) headers[key] = msg.headers.get(key);
        captured.push({ subject: msg.subject, headers, payload: msg.json() });
      },
    }),
  );
}

const of = (subject: string) => captured.filter((m) => m.subject === subject);
/** The statuses the stand-in alert plugin reported, alone or in batches. */
const reportedStatuses = () => of(topo.subjects.status('alert')).flatMap((m) => statusesInReport(m.payload));

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  gateway = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger });
  base = `http://127.0.0.1:${gateway.port}`;
  admin = new ApiClient(`${base}/api/v1`).withToken(TEST_ADMIN_TOKEN);
  await admin.expect(201, 'PUT', '/users/u1', { username: 'ann', email: 'ann@example.com' });
  for (const subject of [topo.subjects.allDeliver, topo.subjects.allStatus, topo.subjects.allDead]) capture(subject);
  await nc.flush();
  // A stand-in alert plugin run by the SDK: a title "fail" is a permanent failure (status failed + dead letter).
  plugin = await runPlugin(
    definePlugin({
      channel: 'alert',
      version: '0.0.0',
      configSchema: z.object({}),
      render: (message: ChannelMessage) => message,
      send: (message) =>
        Promise.resolve(message.event.data.title === 'fail' ? outcomes.failed('permanent failure (test)') : outcomes.delivered()),
    }),
    { connection: nc, prefix, logger: silentLogger, config: {}, heartbeatMs: 60_000 },
  );
  publisher = eventPublisher({ connection: nc, source: 'nats-interface-test', prefix });
}, 60_000);

afterAll(async () => {
  for (const subscription of subscriptions) subscription.unsubscribe();
  await plugin?.stop();
  await gateway?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('the AsyncAPI document', () => {
  it('is served by the gateway at /api/docs/asyncapi.json for its subject prefix', async () => {
    const response = await fetch(`${base}/api/docs/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
    expect((await fetch(`${base}/api/docs/openapi.json`)).status).toBe(200);
  });

  it('describes every subject family Herald uses and every catalogue event', () => {
    const s = topo.subjects;
    const subjects = {
      [s.event('scan_added')]: 'events',
      [s.event('my_custom_event')]: 'events',
      [s.directory('user', 'upserted')]: 'directory',
      [s.directory('member', 'added')]: 'directory',
      [s.deliver('mail')]: 'deliver',
      [s.status('webhooks')]: 'status',
      [s.deadEvents]: 'deadEvents',
      [s.dead('deliver', 'mail')]: 'dead',
      [s.dead('ingest', 'gateway')]: 'dead',
      [s.command('engagement', 'close')]: 'engagementClose',
      [s.internal('auth')]: 'auth',
      [s.internal('invalidate')]: 'invalidate',
      [s.internal('alert-retention')]: 'alertRetention',
      [s.internal('webhooks-sweep')]: 'webhooksSweep',
      [`${s.internal('alerts')}.u1`]: 'liveAlerts',
    };
    for (const [subject, channel] of Object.entries(subjects))
      expect({ subject, channel: channelOf(subject) }).toEqual({ subject, channel });
    // Every stream's subjects are covered by a channel.
    for (const stream of Object.values(topo.streams))
      for (const subject of stream.subjects)
        expect(
          Object.values(document.channels).some((c) => c.address?.startsWith(subject.replace(/\.>$/, '.')) || c.address === subject),
        ).toBe(true);
    expect(Object.keys(document.channels['events']!.messages).sort()).toEqual([...EVENT_CATALOGUE.map((e) => e.name), 'AnyEvent'].sort());
  });

  it('describes the messages the gateway and a plugin really publish on deliver, status and dead-letter subjects', async () => {
    await publisher.publish('user_mentioned', { title: 'hello', recipients: ['ann'] }, { id: 'ok-1' });
    await publisher.publish('scan_added', { title: 'fail', recipients: ['ann'] }, { id: 'fail-1' });
    await jetstream(nc).publish(topo.subjects.event('scan_added'), JSON.stringify({ specversion: '1.0', id: 'bad-1', type: 'scan_added' }));
    await waitFor(
      () => captured,
      () =>
        of(topo.subjects.deliver('alert')).length >= 2 &&
        reportedStatuses().length >= 2 &&
        of(topo.subjects.deadEvents).length >= 1 &&
        of(topo.subjects.dead('deliver', 'alert')).length >= 1,
      15_000,
    );
    const kinds = new Set(captured.map((m) => channelOf(m.subject)));
    expect([...kinds].sort()).toEqual(['dead', 'deadEvents', 'deliver', 'status']);
    expect(
      reportedStatuses()
        .map((status) => status.outcome)
        .sort(),
    ).toEqual(['delivered', 'failed']);
    for (const message of captured)
      expect({ subject: message.subject, problems: problems(message) }).toEqual({ subject: message.subject, problems: [] });
    // The check is strict: a status without `detail` where the outcome needs one, alone or in a batch,
    // or a deliver message without its headers, fails it.
    const report = of(topo.subjects.status('alert'))[0]!;
    const { detail: _detail, ...withoutDetail } = reportedStatuses().find((status) => status.outcome === 'failed')!;
    expect(problems({ ...report, payload: withoutDetail }).join('\n')).toContain("must have required property 'detail'");
    expect(problems({ ...report, payload: { statuses: [withoutDetail] } }).join('\n')).toContain("must have required property 'detail'");
    const deliver = of(topo.subjects.deliver('alert'))[0]!;
    expect(problems({ ...deliver, headers: {} }).join('\n')).toContain("must have required property 'Nats-Msg-Id'");
  }, 30_000);

  it('lets a publisher build an event by hand that the schema and the gateway’s own validation both accept, and the gateway routes', async () => {
    const envelope = validatorFor(document.components.schemas['Envelope']!);
    const event = {
      specversion: '1.0',
      id: 'hand-1',
      source: 'another-language',
      type: 'user_mentioned',
      time: '2026-11-30T10:00:00Z',
      data: { title: 'Mentioned', recipients: ['ann'], product: { id: 'p1', name: 'Web' }, note: 'passed through' },
    };
    expect(describeErrors(envelope.errors)).toEqual([]);
    expect(envelope(event)).toBe(true);
    expect(parseEvent(JSON.stringify(event), { now: new Date() }).ok).toBe(true);
    const h = natsHeaders();
    h.set('Nats-Msg-Id', event.id);
    await jetstream(nc).publish(topo.subjects.event(event.type), JSON.stringify(event), { headers: h });
    await waitFor(
      () => of(topo.subjects.deliver('alert')).filter((m) => (m.payload as ChannelMessage).event.id === 'hand-1'),
      (list) => list.length === 1,
    );
    // And both refuse the same mistakes.
    for (const bad of [
      { ...event, specversion: '0.3' },
      { ...event, source: '' },
      { ...event, type: 'Scan Added' },
      { ...event, data: { recipients: [42] } },
      { ...event, time: 'yesterday' },
    ]) {
      expect({ bad, schema: envelope(bad) }).toEqual({ bad, schema: false });
      expect({ bad, gateway: parseEvent(JSON.stringify(bad), { now: new Date() }).ok }).toEqual({ bad, gateway: false });
    }
  });
});

describe('the typed publisher', () => {
  it('publishes an event the gateway accepts, with Nats-Msg-Id <source>:<id>, once per id', async () => {
    const first = await publisher.publish('product_added', { product: { id: 'p9', name: 'Shop' }, recipients: ['ann'] }, { id: 'typed-1' });
    expect(first).toEqual({ id: 'typed-1', subject: topo.subjects.event('product_added'), seq: expect.any(Number), duplicate: false });
    const again = await publisher.publish('product_added', { product: { id: 'p9', name: 'Shop' }, recipients: ['ann'] }, { id: 'typed-1' });
    expect(again).toEqual({ ...first, duplicate: true });
    const stored = (await readStream(nc, topo.streams.events.name, first.subject)).filter((m) => m.json<{ id: string }>().id === 'typed-1');
    expect(stored.map((m) => m.headers['Nats-Msg-Id'])).toEqual(['nats-interface-test:typed-1']);
    expect(stored[0]!.json()).toEqual({
      specversion: '1.0',
      id: 'typed-1',
      source: 'nats-interface-test',
      type: 'product_added',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { product: { id: 'p9', name: 'Shop' }, recipients: ['ann'] },
    });
    const deliveries = await waitFor(
      () => admin.get<{ items: Array<{ event_id: string; channel: string; user_id: string }> }>('/deliveries?event_id=typed-1'),
      (r) => r.body.items.length === 1,
    );
    expect(deliveries.body.items[0]).toEqual(expect.objectContaining({ event_id: 'typed-1', channel: 'alert', user_id: 'u1' }));
  });

  it('refuses invalid data before sending, naming the field, and publishes nothing', async () => {
    const before = (await readStream(nc, topo.streams.events.name)).length;
    const attempt = publisher.publish('user_mentioned', { recipients: [42 as unknown as string] }, { id: 'typed-bad' });
    await expect(attempt).rejects.toThrow(HeraldError);
    await expect(attempt).rejects.toThrow(/^Invalid user_mentioned event, not published: data\.recipients\[0\]: must be a username/);
    await expect(publisher.publish('Scan Added', {})).rejects.toThrow('type: must match [a-z0-9_]+');
    await expect(publisher.publish('scan_added', {}, { time: 'yesterday' })).rejects.toThrow('time: must be an RFC 3339 timestamp');
    expect((await readStream(nc, topo.streams.events.name)).length).toBe(before);
    expect(() => eventPublisher({ connection: nc, source: ' ' })).toThrow('source must be a non-empty string');
  });

  it('types data per event type and knows every catalogue type', () => {
    // A Record over the union must list exactly its members (the compiler refuses a missing or extra key).
    const union: Record<CatalogueEventType, true> = {
      product_type_added: true,
      product_added: true,
      engagement_added: true,
      test_added: true,
      scan_added: true,
      scan_added_empty: true,
      jira_update: true,
      upcoming_engagement: true,
      stale_engagement: true,
      auto_close_engagement: true,
      close_engagement: true,
      user_mentioned: true,
      code_review: true,
      review_requested: true,
      other: true,
      sla_breach: true,
      sla_breach_combined: true,
      risk_acceptance_expiration: true,
    };
    expect(Object.keys(union).sort()).toEqual(EVENT_CATALOGUE.map((e) => e.name).sort());
    // Compile-time checks (npm run typecheck): product_added needs data.product; recipients are strings.
    const check = (p: EventPublisher): void => {
      // @ts-expect-error product_added requires data.product
      void p.publish('product_added', { title: 'no product' });
      // @ts-expect-error recipients are usernames (strings)
      void p.publish('scan_added', { recipients: [1] });
      void p.publish('my_own_event', { anything: 'goes', title: 'custom types take the common data' });
    };
    expect(typeof check).toBe('function');
  });
});

// Last: the parser blocks the event loop for seconds, long enough for idle keep-alive HTTP
// connections of this process to the gateway to be reset under the other tests.
describe('the AsyncAPI document, parsed', () => {
  // Spectral severities: 0 error, 1 warning; 2 information ("3.1.0 exists") and 3 hint are not problems.
  it('is valid AsyncAPI 3.0 (@asyncapi/parser: no errors, no warnings)', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(diagnostics.filter((d) => Number(d.severity) <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(parsed?.channels().length).toBe(Object.keys(document.channels).length);
  }, 30_000);
});
