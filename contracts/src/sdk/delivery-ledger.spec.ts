/**
 * DeliveryLedger against real JetStream KV: a recorded status reads back; the first writer wins;
 * a key holding a delete marker is recorded over; a ledger whose bucket is gone fails the record
 * (the message is then retried, never acknowledged as settled).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { SINGLE_REPLICA } from '../jetstream/stream-storage.js';
import { resolveNatsUrl, uniquePrefix } from '../testing/infrastructure.js';
import { deliveryStatusFixture } from '../testing/status-fixtures.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { StreamPublisher } from '../jetstream/stream-publisher.js';

const bucket = `${uniquePrefix('ledger').replace(/[.-]/g, '_')}_deliveries_test`;
let nc: NatsConnection;
let ledger: DeliveryLedger;

/** The fixture status of event `ev-<n>`; its delivery id is `ev-<n>:test:system`. */
const status = deliveryStatusFixture;

beforeAll(async () => {
  nc = await connect({ servers: await resolveNatsUrl() });
  ledger = await DeliveryLedger.open(nc, bucket, SINGLE_REPLICA, new StreamPublisher(nc));
});
afterAll(async () => {
  await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => undefined);
  await nc.close();
});

describe('DeliveryLedger', () => {
  it('reads back a recorded status, and null for a delivery never settled', async () => {
    await ledger.record(status(1));
    expect(await ledger.get('ev-1:test:system')).toEqual(status(1));
    expect(await ledger.get('ev-1:test:nobody')).toBeNull();
  });

  it('keeps the first record: a second replica recording the same delivery succeeds and changes nothing', async () => {
    await ledger.record(status(2, { outcome: 'delivered', attempt: 1 }));
    await expect(ledger.record(status(2, { outcome: 'failed', attempt: 2, detail: 'HTTP 500' }))).resolves.toBeUndefined();
    expect(await ledger.get('ev-2:test:system')).toMatchObject({ outcome: 'delivered', attempt: 1 });
  });

  it('records over a delete marker', async () => {
    const kv = await new Kvm(nc).open(bucket);
    const key = createHash('sha256').update('ev-3:test:system', 'utf8').digest('hex');
    await kv.put(key, JSON.stringify(status(3, { attempt: 9 })));
    await kv.delete(key);
    expect(await ledger.get('ev-3:test:system')).toBeNull();
    await ledger.record(status(3));
    expect(await ledger.get('ev-3:test:system')).toEqual(status(3));
  });

  it('fails the record when the bucket is gone', async () => {
    const gone = `${bucket}_gone`;
    const doomed = await DeliveryLedger.open(nc, gone, SINGLE_REPLICA, new StreamPublisher(nc));
    await (await jetstreamManager(nc)).streams.delete(`KV_${gone}`);
    await expect(doomed.record(status(4))).rejects.toThrow();
  });
});
