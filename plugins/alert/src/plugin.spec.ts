/**
 * End to end over real NATS JetStream and PostgreSQL: channel messages published on
 * `<prefix>.deliver.alert` become alerts and status reports on `<prefix>.status.alert`; a
 * redelivered message creates no second alert; a system-scope message is reported `dropped`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  connectNats,
  pluginBuckets,
  runPlugin,
  silentLogger,
  topology,
  type ChannelMessage,
  type DeliveryStatus,
  type RunningPlugin,
  type Topology,
} from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, statusesInReport, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { openAlertPlugin, type OpenedAlertPlugin } from './open-alert-plugin.js';
import { SYSTEM_SCOPE_REASON } from './render.js';
import { personalMessage, systemMessage } from './testing/messages.js';
import { createAlertTestDatabase, type AlertTestDatabase } from './testing/test-database.js';

let db: AlertTestDatabase;
let nc: NatsConnection;
let js: JetStreamClient;
let topo: Topology;
let opened: OpenedAlertPlugin;
let running: RunningPlugin;

beforeAll(async () => {
  db = await createAlertTestDatabase({ migrate: false });
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'alert-plugin-spec' });
  js = jetstream(nc);
  const prefix = uniquePrefix('alert_e2e');
  topo = topology({ prefix });
  opened = await openAlertPlugin({ pool: db.pool, nc, prefix, logger: silentLogger });
  running = await runPlugin(opened.plugin, { connection: nc, config: {}, logger: silentLogger, prefix });
});

afterAll(async () => {
  await running.stop();
  opened.close();
  await deleteTopology(nc, topo);
  await nc.drain();
  await db.drop();
});

async function publish(message: ChannelMessage, msgID: string = message.delivery_id): Promise<void> {
  await js.publish(topo.subjects.deliver('alert'), JSON.stringify(message), { msgID });
}

async function statusesOf(deliveryId: string): Promise<DeliveryStatus[]> {
  const stored = await readStream(nc, topo.streams.status.name, topo.subjects.status('alert'));
  return stored.flatMap((m) => statusesInReport(m.json())).filter((s) => s.delivery_id === deliveryId);
}

async function deliverQueueEmpty(): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(topo.streams.deliver.name)).state.messages === 0;
}

describe('alert plugin over NATS', () => {
  it('turns personal channel messages into alerts and reports them delivered', async () => {
    const first = personalMessage({ eventId: 'ev-a', userId: 'u-a', data: { title: 'Scan of Web', url: '/finding/1' } });
    const second = personalMessage({ eventId: 'ev-b', userId: 'u-a', type: 'dummy_foo_event', eventLabel: 'Dummy Foo Event' });
    await publish(first);
    await publish(second);
    const statuses = await waitFor(
      async () => [...(await statusesOf(first.delivery_id)), ...(await statusesOf(second.delivery_id))],
      (s) => s.length === 2,
    );
    expect(statuses.map((s) => [s.delivery_id, s.outcome, s.attempt, s.channel, s.event_id])).toEqual([
      [first.delivery_id, 'delivered', 1, 'alert', 'ev-a'],
      [second.delivery_id, 'delivered', 1, 'alert', 'ev-b'],
    ]);
    const page = await opened.store.list({ userId: 'u-a', limit: 10 });
    expect(page.items.map((a) => [a.delivery_id, a.title, a.url, a.source, a.icon, a.read_at])).toEqual(
      expect.arrayContaining([
        [first.delivery_id, 'Scan of Web', 'https://dojo.example.com/finding/1', 'Scan Added', 'shield-alt', null],
        [second.delivery_id, 'Scan Added', null, 'Dummy Foo Event', 'bell', null],
      ]),
    );
    expect(page.items).toHaveLength(2);
    expect(statuses[0]!.detail).toBe(`alert ${page.items.find((a) => a.delivery_id === first.delivery_id)!.id} stored`);
  });

  it('creates no second alert when the same delivery arrives again', async () => {
    const message = personalMessage({ eventId: 'ev-dup', userId: 'u-dup' });
    await publish(message, `${message.delivery_id}#1`);
    await waitFor(
      () => opened.store.count('u-dup'),
      (c) => c.total === 1,
    );
    await publish(message, `${message.delivery_id}#2`);
    expect(await waitFor(deliverQueueEmpty, (empty) => empty)).toBe(true);
    expect(await opened.store.count('u-dup')).toEqual({ unread: 1, total: 1 });
    // the store is the idempotency record (idempotentSend): the SDK keeps no delivery ledger
    const jsm = await jetstreamManager(nc);
    await expect(jsm.streams.info(`KV_${pluginBuckets(topo.subjects.prefix).deliveries('alert')}`)).rejects.toThrow(/stream not found/);
  });

  it('reports a system-scope message dropped with its reason and stores nothing', async () => {
    const message = systemMessage('ev-sys');
    await publish(message);
    const statuses = await waitFor(
      () => statusesOf(message.delivery_id),
      (s) => s.length === 1,
    );
    expect(statuses.map((s) => [s.outcome, s.detail])).toEqual([['dropped', SYSTEM_SCOPE_REASON]]);
    const rows = await db.pool.query('select 1 from alerts.alerts where delivery_id = $1', [message.delivery_id]);
    expect(rows.rowCount).toBe(0);
  });
});

describe('alert plugin send', () => {
  it('stores one alert and announces it once when the same delivery is sent twice (ledger missed it)', async () => {
    const message = personalMessage({ eventId: 'ev-twice', userId: 'u-twice' });
    const announced: string[] = [];
    const off = await opened.live.subscribe('u-twice', (alert) => announced.push(alert.id));
    const request = opened.plugin.render(message, {});
    if ('kind' in request) throw new Error(`rendered as ${request.kind}`);
    const context = { message, config: {}, attempt: 1, logger: silentLogger, signal: new AbortController().signal };
    const first = await opened.plugin.send(request, context);
    const second = await opened.plugin.send(request, { ...context, attempt: 2 });
    const [stored] = (await opened.store.list({ userId: 'u-twice', limit: 10 })).items;
    expect(first).toEqual({ kind: 'delivered', detail: `alert ${stored!.id} stored` });
    expect(second).toEqual({ kind: 'delivered', detail: `alert ${stored!.id} already stored (redelivery)` });
    expect(await opened.store.count('u-twice')).toEqual({ unread: 1, total: 1 });
    await nc.flush();
    expect(
      await waitFor(
        () => announced,
        (ids) => ids.length >= 1,
        1_000,
      ),
    ).toEqual([stored!.id]);
    off();
  });
});
