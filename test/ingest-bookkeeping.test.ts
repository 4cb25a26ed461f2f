/**
 * SPEC §8: "a failure of Herald's own bookkeeping never causes a re-send" — in the gateway. An
 * event is routed (its deliveries published), then marking it routed in the event ledger fails
 * because the ledger's KV stream is gone; the stream comes back 2 s later. The gateway retries
 * the ledger write, not the routing: the event is routed once, and the same event published
 * again afterwards is recognised as a duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology, type HeraldEvent } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import type { RoutingPort } from '../gateway/src/ingest/routing-port.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('ingestbk');
const topo = topology({ prefix });
const ledgerBucket = `${prefix.replace(/[.-]/g, '_')}_event_ledger`;
let nc: NatsConnection;
let gateway: RunningGateway;
let db: TestDatabase;
let restored: Promise<unknown> | undefined;

/** A real routing port that records what it routed; while routing `lose-ledger` the event ledger's store disappears. */
class LedgerLosingPort implements RoutingPort {
  readonly routed: string[] = [];

  async route(event: HeraldEvent): Promise<void> {
    this.routed.push(event.id);
    if (event.id !== 'lose-ledger' || restored !== undefined) return;
    await (await jetstreamManager(nc)).streams.delete(`KV_${ledgerBucket}`);
    restored = new Promise((resolve) => setTimeout(resolve, 2_000)).then(() =>
      new Kvm(nc).create(ledgerBucket, { history: 1, ttl: 24 * 60 * 60 * 1_000 }),
    );
  }
}
const port = new LedgerLosingPort();

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  gateway = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger, routingPort: port });
});

afterAll(async () => {
  await gateway?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('event ledger write fails after routing', () => {
  it('retries the ledger write, never the routing', async () => {
    const js = jetstream(nc);
    const event = {
      specversion: '1.0',
      id: 'lose-ledger',
      source: 'test',
      type: 'scan_added',
      data: { product: { id: '1', name: 'Web' } },
    };
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(event), { msgID: 'first-copy' });
    await waitFor(
      () => Promise.resolve(port.routed.length),
      (n) => n >= 1,
      10_000,
      50,
    );
    await restored;
    // Outlast the consumer's redelivery of a failed attempt, then publish the same event again
    // (another message id, so JetStream does not drop it): the ledger must know it was routed.
    await new Promise((r) => setTimeout(r, 6_000));
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(event), { msgID: 'second-copy' });
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify({ ...event, id: 'after' }), { msgID: 'after' });
    await waitFor(
      () => Promise.resolve(port.routed),
      (ids) => ids.includes('after'),
      10_000,
      50,
    );
    expect(port.routed).toEqual(['lose-ledger', 'after']);
  }, 40_000);
});
