/**
 * The plugin end to end on the SDK: channel messages published on real NATS JetStream, delivered
 * to real HTTP sinks, statuses read back from the status stream; the scheduler's sweep command.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  connectNats,
  runPlugin,
  SecretBox,
  silentLogger,
  subjects,
  topology,
  type DeliveryStatus,
  type RunningPlugin,
  parseAllowList,
  pluginBuckets,
} from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, statusesInReport, uniquePrefix, waitFor } from '@herald/contracts/testing';
import type { WebhooksConfig } from './config.js';
import { openWebhooksPlugin, type OpenedWebhooksPlugin } from './open-webhooks-plugin.js';
import { HttpSink } from './testing/http-sink.js';
import { channelMessage, heraldEvent, personal } from './testing/messages.js';
import { createWebhooksTestDatabase, type WebhooksTestDatabase } from './testing/test-database.js';

const prefix = uniquePrefix('wh_plugin');
const topo = topology({ prefix });
let db: WebhooksTestDatabase;
let nc: NatsConnection;
let sink: HttpSink;
let opened: OpenedWebhooksPlugin;
let running: RunningPlugin<WebhooksConfig>;

beforeAll(async () => {
  db = await createWebhooksTestDatabase();
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'webhooks-plugin-test' });
  sink = await HttpSink.start();
  opened = await openWebhooksPlugin({
    pool: db.pool,
    nc,
    prefix,
    logger: silentLogger,
    secretKey: SecretBox.generateKey(),
    siteUrl: 'https://dojo.example.com',
    allowPrivate: parseAllowList('127.0.0.0/8'),
  });
  running = await runPlugin(opened.plugin, { connection: nc, config: { timeout_seconds: 2 }, logger: silentLogger, prefix });
});

afterAll(async () => {
  await running.stop();
  opened.close();
  await deleteTopology(nc, topo);
  await nc.drain();
  await sink.close();
  await db.drop();
});

async function publish(message: ReturnType<typeof channelMessage>): Promise<void> {
  await jetstream(nc).publish(topo.subjects.deliver('webhooks'), JSON.stringify(message), { msgID: message.delivery_id });
}

async function statusOf(deliveryId: string): Promise<DeliveryStatus | undefined> {
  const found = await waitFor(
    async () =>
      (await readStream(nc, topo.streams.status.name))
        .flatMap((m) => statusesInReport(m.json()))
        .filter((s) => s.delivery_id === deliveryId),
    (list) => list.length > 0,
  );
  return found[found.length - 1];
}

describe('webhooks plugin on NATS', () => {
  it('delivers a system message to the system endpoint and reports delivered', async () => {
    await opened.store.create(
      { name: 'system', url: sink.url('/system'), header_name: null, header_value: null, signing_secrets: [], owner: null, note: null },
      new Date(),
    );
    const message = channelMessage(heraldEvent('scan_added', { test: { id: '90', name: 'T' } }));
    await publish(message);
    const status = await statusOf(message.delivery_id);
    expect(status).toMatchObject({ delivery_id: message.delivery_id, outcome: 'delivered', detail: 'delivered to 1 of 1 endpoint(s)' });
    expect(sink.requests.map((r) => [r.path, r.headers['x-herald-event']])).toEqual([['/system', 'scan_added']]);
  });

  it('does not POST a copy of a delivered message again: its per-endpoint record answers, the SDK keeps no ledger', async () => {
    const message = channelMessage(heraldEvent('scan_added', { test: { id: '91', name: 'T' } }));
    const before = sink.requests.length;
    const posts = (): number => sink.requests.length - before;
    await publish(message);
    expect(await statusOf(message.delivery_id)).toMatchObject({ outcome: 'delivered', attempt: 1 });
    expect(posts()).toBe(1);
    // a copy JetStream does not de-duplicate (no Nats-Msg-Id): the plugin sees the delivery again
    await jetstream(nc).publish(topo.subjects.deliver('webhooks'), JSON.stringify(message));
    const consumer = topo.channelConsumer('webhooks');
    const jsm = await jetstreamManager(nc);
    await waitFor(
      () => jsm.consumers.info(consumer.stream, consumer.durable),
      (info) => info.delivered.stream_seq >= 2 && info.num_pending === 0 && info.num_ack_pending === 0,
    );
    expect(posts()).toBe(1);
    const statuses = (await readStream(nc, topo.streams.status.name))
      .flatMap((m) => statusesInReport(m.json()))
      .filter((s) => s.delivery_id === message.delivery_id);
    expect(statuses.map((s) => [s.outcome, s.attempt, s.detail])).toEqual([['delivered', 1, 'delivered to 1 of 1 endpoint(s)']]);
    await expect(jsm.streams.info(`KV_${pluginBuckets(prefix).deliveries('webhooks')}`)).rejects.toThrow(/stream not found/);
  });

  it('reports dropped, saying why, for a user without endpoints', async () => {
    const message = channelMessage(heraldEvent('user_mentioned', {}), personal('42', 'dave'));
    await publish(message);
    expect(await statusOf(message.delivery_id)).toMatchObject({
      outcome: 'dropped',
      detail: 'user dave (42) has no webhook endpoint: personal notifications go to the endpoints the user owns',
    });
  });

  it('runs the sweep on the scheduler’s command and answers the report on the internal subject', async () => {
    const stale = await opened.store.create(
      { name: 'stale', url: sink.url('/stale'), header_name: null, header_value: null, signing_secrets: [], owner: null, note: null },
      new Date(),
    );
    await db.pool.query(`update webhooks.endpoints set status = 'inactive_tmp', first_error = $2, last_error = $2 where id = $1`, [
      stale.id,
      new Date(Date.now() - 6 * 60_000),
    ]);
    const first = await nc.request(subjects(prefix).internal('webhooks-sweep'), '{}', { timeout: 5_000 });
    expect(first.json()).toEqual({ promoted: 0, reactivated: 1, pruned_delivery_records: 0 });
    expect((await opened.store.get(stale.id))?.status).toBe('active_tmp');
    const again = await nc.request(subjects(prefix).internal('webhooks-sweep'), '{}', { timeout: 5_000 });
    expect(again.json()).toEqual({ promoted: 0, reactivated: 0, pruned_delivery_records: 0 });
  });
});
