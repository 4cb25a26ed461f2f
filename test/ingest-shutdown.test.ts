/**
 * Graceful shutdown under load: a real gateway process gets SIGTERM in the middle of a burst.
 * It must exit within 10 s, and every event must end up processed exactly once across it and the
 * replica that takes over (counted through the event ledger and the routing port).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayConfig, testGatewayEnv } from './support/gateway-config.js';
import { REPO_ROOT, startNode, waitForOutput } from './support/processes.js';
import { RecordingPort } from './support/recording-port.js';

const BURST = 400;
const prefix = uniquePrefix('shutdown');
const topo = topology({ prefix });
let nc: NatsConnection;
let url: string;
let takeover: RunningGateway | undefined;
let db: TestDatabase;

beforeAll(async () => {
  url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  if (!existsSync(resolve(REPO_ROOT, 'gateway/dist/main.js')))
    throw new Error('gateway/dist is missing: run `npm run build` first (npm test does it)');
});

afterAll(async () => {
  await takeover?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('SIGTERM during a burst', () => {
  it('exits within 10 s and loses no event', async () => {
    const gw = startNode(
      'gateway/dist/main.js',
      testGatewayEnv(url, prefix, db.url, { HERALD_INGEST_CONCURRENCY: '4', HERALD_LOG_LEVEL: 'info' }),
    );
    await waitForOutput(gw, (out) => out.includes('gateway started'));

    const js = jetstream(nc);
    const acks = [];
    for (let i = 0; i < BURST; i++) {
      acks.push(
        js.publish(
          topo.subjects.event('scan_added'),
          JSON.stringify({ specversion: '1.0', id: `burst-${i}`, source: 'test', type: 'scan_added' }),
        ),
      );
    }
    await Promise.all(acks);
    await waitForOutput(gw, (out) => (out.match(/event routed/g) ?? []).length >= 20);

    const signalledAt = Date.now();
    gw.child.kill('SIGTERM');
    const code = await gw.exited;
    const tookMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    const processedByFirst = (gw.output().match(/event routed/g) ?? []).length;
    expect(processedByFirst).toBeLessThan(BURST);

    const firstIds = gw
      .output()
      .split('\n')
      .filter((line) => line.includes('event routed'))
      .map((line) => (JSON.parse(line) as { event_id: string }).event_id);
    expect(firstIds).toHaveLength(processedByFirst);

    const port = new RecordingPort();
    takeover = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger, routingPort: port });
    // Messages on the wire at SIGTERM come back after the gateway consumer's ack wait (10 s).
    await waitFor(
      () => port.events.length,
      (n) => firstIds.length + n >= BURST,
      25_000,
      100,
    );
    const all = [...firstIds, ...port.ids()];
    expect(all).toHaveLength(BURST);
    expect(new Set(all).size).toBe(BURST);
    const consumer = await jetstream(nc).consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable);
    const info = await waitFor(
      () => consumer.info(),
      (i) => i.num_ack_pending === 0 && i.num_pending === 0,
    );
    expect(info.num_ack_pending).toBe(0);
  }, 60_000);
});
