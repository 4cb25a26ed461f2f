/**
 * The event ledger's bookkeeping (SPEC §8: de-duplication at every hop, a crash never strands an
 * event, a bookkeeping failure never re-sends), with the production routing: one ledger write per
 * event (the claim); the routing record in PostgreSQL is what marks the event routed.
 * - a copy of a routed event is recognised at once from the routing record, not re-routed;
 * - a claim whose event has no routing record (its claimant died) is taken over: a fresh one after
 *   the stale age, an old one at once;
 * - a key holding a delete marker (a released claim) is claimed again on the first delivery;
 * - while the ledger's store is gone nothing is routed, and the event is routed once when it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { silentLogger, topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { EVENT_CLAIM_STALE_MS } from '../gateway/src/ingest/ingest.module.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('ingestbk');
const topo = topology({ prefix });
const ledgerBucket = `${prefix.replace(/[.-]/g, '_')}_event_ledger`;
let nc: NatsConnection;
let js: JetStreamClient;
let gateway: RunningGateway;
let db: TestDatabase;
let client: pg.Client;

/** The ledger's key of an event, as the gateway writes it. */
const ledgerKey = (source: string, id: string): string =>
  createHash('sha256').update(source).update('\u0000').update(id).digest('base64url');

const event = (id: string) =>
  JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'scan_added', data: { product: { id: '1', name: 'Web' } } });

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gateway.port}/metrics`)).text();
  const value = Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
  if (!Number.isFinite(value)) throw new Error(`${name} is not in /metrics`);
  return value;
}

async function decisionRows(id: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `select count(*) as n from gateway.event_decisions where source = 'test' and event_id = $1`,
    [id],
  );
  return Number(rows[0]?.n);
}

/** Waits until the events consumer has nothing pending or unacknowledged. */
async function drained(): Promise<void> {
  const consumer = await js.consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable);
  await waitFor(
    () => consumer.info(),
    (i) => i.num_pending === 0 && i.num_ack_pending === 0,
    20_000,
    50,
  );
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  gateway = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger });
});

afterAll(async () => {
  await gateway?.close();
  await client?.end();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('event ledger with the production routing', () => {
  it('writes one claim per event, and recognises a copy of a routed event at once from its routing record', async () => {
    const routedBefore = await metric('herald_events_routed_total');
    const duplicatesBefore = await metric('herald_events_duplicate_total');
    const jsm = await jetstreamManager(nc);
    const ledgerSeqBefore = (await jsm.streams.info(`KV_${ledgerBucket}`)).state.last_seq;
    await js.publish(topo.subjects.event('scan_added'), event('once'), { msgID: 'once-first' });
    await waitFor(
      () => decisionRows('once'),
      (n) => n === 1,
      10_000,
      50,
    );
    await drained();
    const kv = await new Kvm(nc).open(ledgerBucket);
    const entry = await kv.get(ledgerKey('test', 'once'));
    // the claim, never overwritten: nothing is written to the ledger after routing
    expect(entry?.string()).toMatch(/^processing:\d+$/);
    expect(entry?.revision).toBe(ledgerSeqBefore + 1);
    expect((await jsm.streams.info(`KV_${ledgerBucket}`)).state.last_seq).toBe(ledgerSeqBefore + 1);

    // another message id, so JetStream does not drop the copy: the ledger must
    const consumer = await js.consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable);
    const redeliveredBefore = (await consumer.info()).num_redelivered;
    await js.publish(topo.subjects.event('scan_added'), event('once'), { msgID: 'once-second' });
    await waitFor(
      () => metric('herald_events_duplicate_total'),
      (n) => n === duplicatesBefore + 1,
      10_000,
      50,
    );
    await drained();
    expect(await metric('herald_events_routed_total')).toBe(routedBefore + 1);
    // acknowledged on its first delivery: found routed, not waited for as a busy claim
    expect((await consumer.info()).num_redelivered).toBe(redeliveredBefore);
  }, 30_000);

  it('takes over a claim whose event was never recorded: an old claim at once, a fresh one after the stale age', async () => {
    const kv = await new Kvm(nc).open(ledgerBucket);
    await kv.put(ledgerKey('test', 'orphan-old'), `processing:${Date.now() - EVENT_CLAIM_STALE_MS - 1_000}`);
    const freshAt = Date.now();
    await kv.put(ledgerKey('test', 'orphan-fresh'), `processing:${freshAt}`);
    const routedBefore = await metric('herald_events_routed_total');
    await js.publish(topo.subjects.event('scan_added'), event('orphan-old'));
    await js.publish(topo.subjects.event('scan_added'), event('orphan-fresh'));
    await waitFor(
      () => decisionRows('orphan-old'),
      (n) => n === 1,
      10_000,
      50,
    );
    expect(await decisionRows('orphan-fresh')).toBe(0);
    await waitFor(
      () => decisionRows('orphan-fresh'),
      (n) => n === 1,
      20_000,
      100,
    );
    expect(Date.now() - freshAt).toBeGreaterThanOrEqual(EVENT_CLAIM_STALE_MS);
    await drained();
    expect(await metric('herald_events_routed_total')).toBe(routedBefore + 2);
  }, 40_000);

  it('claims an event whose ledger key holds a delete marker (a claim released after a failed attempt)', async () => {
    const kv = await new Kvm(nc).open(ledgerBucket);
    await kv.put(ledgerKey('test', 'released'), `processing:${Date.now()}`);
    await kv.delete(ledgerKey('test', 'released'));
    const routedBefore = await metric('herald_events_routed_total');
    const consumer = await js.consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable);
    const redeliveredBefore = (await consumer.info()).num_redelivered;
    await js.publish(topo.subjects.event('scan_added'), event('released'));
    await waitFor(
      () => decisionRows('released'),
      (n) => n === 1,
      10_000,
      50,
    );
    await drained();
    const entry = await kv.get(ledgerKey('test', 'released'));
    expect(entry?.operation).toBe('PUT');
    expect(entry?.string()).toMatch(/^processing:\d+$/);
    expect(await metric('herald_events_routed_total')).toBe(routedBefore + 1);
    // claimed on its first delivery
    expect((await consumer.info()).num_redelivered).toBe(redeliveredBefore);
  }, 30_000);

  it('routes nothing while the ledger store is gone, and the event once when it is back', async () => {
    const routedBefore = await metric('herald_events_routed_total');
    await (await jetstreamManager(nc)).streams.delete(`KV_${ledgerBucket}`);
    await js.publish(topo.subjects.event('scan_added'), event('ledger-gone'));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await decisionRows('ledger-gone')).toBe(0);
    await new Kvm(nc).create(ledgerBucket, { history: 1, ttl: 24 * 60 * 60 * 1_000 });
    await waitFor(
      () => decisionRows('ledger-gone'),
      (n) => n === 1,
      20_000,
      100,
    );
    await drained();
    expect(await metric('herald_events_routed_total')).toBe(routedBefore + 1);
  }, 40_000);
});
