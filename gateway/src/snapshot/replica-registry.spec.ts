/**
 * The replica registry on real JetStream: every started replica is live, a stopped one is not,
 * and every replica is listed while heartbeats keep replacing the bucket's messages (the list is
 * the stream's subjects, read in one request: `kv.keys()` could wait for ever there on
 * nats-server 2.9).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SINGLE_REPLICA } from '@herald/contracts';
import { resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { ReplicaRegistry } from './replica-registry.js';

const prefix = uniquePrefix('registry');
const bucket = `${prefix.replace(/[.-]/g, '_')}_gateways`;
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connect({ servers: await resolveNatsUrl() });
});

afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
  await nc.close();
});

describe('ReplicaRegistry', () => {
  it('lists the started replicas and drops a stopped one', async () => {
    const one = await ReplicaRegistry.open(nc, prefix, SINGLE_REPLICA);
    const two = await ReplicaRegistry.open(nc, prefix, SINGLE_REPLICA);
    await one.start();
    await two.start();
    expect((await one.live()).sort()).toEqual([one.replicaId, two.replicaId].sort());
    await two.stop();
    expect(await one.live()).toEqual([one.replicaId]);
    await one.stop();
    expect(await one.live()).toEqual([]);
  });

  it('lists every replica while heartbeats keep replacing the entries', async () => {
    const registries = await Promise.all([0, 1, 2].map(() => ReplicaRegistry.open(nc, prefix, SINGLE_REPLICA)));
    for (const registry of registries) await registry.start();
    let stop = false;
    // heartbeats far faster than the real 5 s: each put replaces the key's message
    const storm = (async () => {
      while (!stop) for (const registry of registries) await (registry as unknown as { beat(): Promise<void> }).beat();
    })();
    const expected = registries.map((r) => r.replicaId).sort();
    const lists: string[][] = [];
    for (let i = 0; i < 50; i++) lists.push((await registries[0]!.live()).sort());
    stop = true;
    await storm;
    for (const registry of registries) await registry.stop();
    expect(lists).toEqual(Array.from({ length: 50 }, () => expected));
  });
});
