/**
 * HERALD_STREAM_REPLICAS and HERALD_STREAM_PLACEMENT_TAGS: parsed with clear errors by the gateway
 * and every plugin; provisioning is idempotent on one server (no create or update request when
 * nothing changed); on a private 3-node cluster every stream and KV bucket the gateway and a plugin
 * provision gets the configured replicas, a changed setting updates existing streams and buckets,
 * placement tags pick the servers, and a client given the server list fails over when the node it
 * talks to is killed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  connectNats,
  ensureStreams,
  HeraldError,
  loadPluginEnv,
  openBucket,
  pluginBuckets,
  runPlugin,
  silentLogger,
  topology,
  type StreamStorage,
} from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, startNatsCluster, uniquePrefix, waitFor, type NatsCluster } from '@herald/contracts/testing';
import { testPlugin } from '../contracts/src/sdk/test-plugin.fixture.js';
import { parseGatewayConfig } from '../gateway/src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayConfig } from './support/gateway-config.js';

const storage = (replicas: number, placementTags: string[] = []): StreamStorage => ({ replicas, placementTags });

function configError(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    expect((error as HeraldError).code).toBe('invalid_configuration');
    return (error as Error).message;
  }
  throw new Error('expected an invalid_configuration error');
}

describe('HERALD_STREAM_REPLICAS and HERALD_STREAM_PLACEMENT_TAGS', () => {
  const parsers = {
    gateway: (env: Record<string, string>) => parseGatewayConfig(env).streamStorage,
    plugin: (env: Record<string, string>) => loadPluginEnv(env, 'webhooks').streamStorage,
  };

  it.each(Object.entries(parsers))('%s: default to one replica and no tags', (_name, parse) => {
    expect(parse({})).toEqual({ replicas: 1, placementTags: [] });
  });

  it.each(Object.entries(parsers))('%s: reads the replica count and trims the comma-separated tags', (_name, parse) => {
    expect(parse({ HERALD_STREAM_REPLICAS: '3', HERALD_STREAM_PLACEMENT_TAGS: ' az:eu-1, ssd ,' })).toEqual({
      replicas: 3,
      placementTags: ['az:eu-1', 'ssd'],
    });
  });

  it.each([
    ['0', 'HERALD_STREAM_REPLICAS: must be at least 1 (got "0")'],
    ['6', 'HERALD_STREAM_REPLICAS: must be at most 5 (the JetStream limit) (got "6")'],
    ['2.5', 'HERALD_STREAM_REPLICAS: must be an integer: 1 on a single nats-server, 3 or 5 on a cluster (got "2.5")'],
    ['three', 'HERALD_STREAM_REPLICAS: must be a number of replicas: 1 on a single nats-server, 3 or 5 on a cluster (got "three")'],
  ])('refuses HERALD_STREAM_REPLICAS=%s in the gateway and the plugins', (value, message) => {
    expect(configError(() => parsers.gateway({ HERALD_STREAM_REPLICAS: value }))).toContain(message);
    expect(configError(() => parsers.plugin({ HERALD_STREAM_REPLICAS: value }))).toContain(message);
  });

  it('refuses a placement tag with a space', () => {
    const message = 'HERALD_STREAM_PLACEMENT_TAGS: each tag must be one word without spaces, e.g. "az:eu-1,ssd" (got "az eu,ssd")';
    expect(configError(() => parsers.gateway({ HERALD_STREAM_PLACEMENT_TAGS: 'az eu,ssd' }))).toContain(message);
    expect(configError(() => parsers.plugin({ HERALD_STREAM_PLACEMENT_TAGS: 'az eu,ssd' }))).toContain(message);
  });
});

/** Counts JetStream API requests that create or update streams, by stream name. */
async function watchStreamWrites(nc: NatsConnection): Promise<{ writes: string[]; flush(): Promise<void> }> {
  const writes: string[] = [];
  for (const verb of ['CREATE', 'UPDATE']) {
    nc.subscribe(`$JS.API.STREAM.${verb}.*`, {
      callback: (_err, msg) => {
        writes.push(`${verb} ${msg.subject.split('.').pop()}`);
      },
    });
  }
  await nc.flush();
  return { writes, flush: () => nc.flush() };
}

describe('on one nats-server', () => {
  const prefix = uniquePrefix('replicas');
  const topo = topology({ prefix, storage: storage(1) });
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connectNats({ url: await resolveNatsUrl(), name: 'stream-replicas-test' });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await deleteTopology(nc, topo);
    await nc.close();
  });

  it('provisioning twice creates each stream and bucket once and updates nothing', async () => {
    const watch = await watchStreamWrites(nc);
    const bucket = pluginBuckets(prefix).deliveries('spec');
    await ensureStreams(jsm, topo);
    await openBucket(nc, bucket, { history: 1, ttlMs: 60_000 }, topo.storage);
    await watch.flush();
    const created = Object.values(topo.streams)
      .map((s) => `CREATE ${s.name}`)
      .concat(`CREATE KV_${bucket}`);
    expect([...watch.writes].sort()).toEqual([...created].sort());

    await ensureStreams(jsm, topo);
    await openBucket(nc, bucket, { history: 1, ttlMs: 60_000 }, topo.storage);
    await watch.flush();
    expect([...watch.writes].sort()).toEqual([...created].sort());
    for (const s of Object.values(topo.streams)) expect((await jsm.streams.info(s.name)).config.num_replicas).toBe(1);
  });

  it('three replicas on a server that is not clustered fail with the setting to change', async () => {
    const other = topology({ prefix: `${prefix}_r3`, storage: storage(3) });
    try {
      const error = await ensureStreams(jsm, other).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HeraldError);
      expect((error as HeraldError).code).toBe('invalid_configuration');
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Cannot keep stream ${other.streams.events.name} with HERALD_STREAM_REPLICAS=3: the NATS server is not part of a cluster .*Set HERALD_STREAM_REPLICAS=1`,
        ),
      );
    } finally {
      await deleteTopology(nc, other);
    }
  });
});

describe('on a 3-node NATS cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
    nc = await connectNats({ url: cluster.urls, name: 'stream-replicas-test' });
    // A 3-node cluster on a loaded 2-core machine can take longer than the client's default 5 s to
    // answer a placement request; these tests are about the answer, not its speed.
    jsm = await jetstreamManager(nc, { timeout: 20_000 });
  }, 40_000);

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  /** Replica count, and peer names once a leader is elected and every peer is current. */
  async function placement(stream: string): Promise<{ replicas: number; peers: string[] }> {
    const info = await waitFor(
      () => jsm.streams.info(stream),
      (i) =>
        i.cluster?.leader !== undefined &&
        (i.cluster.replicas ?? []).every((r) => r.current) &&
        (i.cluster.replicas ?? []).length + 1 === i.config.num_replicas,
      15_000,
      100,
    );
    const peers = [info.cluster?.leader ?? '', ...(info.cluster?.replicas ?? []).map((r) => r.name)].sort();
    return { replicas: info.config.num_replicas, peers };
  }

  it('a gateway and a plugin with HERALD_STREAM_REPLICAS=3 keep every stream and KV bucket on all three servers', async () => {
    const prefix = uniquePrefix('replicas_gw');
    let db: TestDatabase | undefined;
    let gateway: RunningGateway | undefined;
    let plugin: Awaited<ReturnType<typeof runPlugin>> | undefined;
    try {
      db = await createTestDatabase();
      gateway = await startGateway({
        config: testGatewayConfig(cluster.urls, prefix, db.url, { HERALD_STREAM_REPLICAS: '3' }),
        logger: silentLogger,
      });
      const env = loadPluginEnv({ NATS_URL: cluster.urls, HERALD_SUBJECT_PREFIX: prefix, HERALD_STREAM_REPLICAS: '3' }, 'spec');
      plugin = await runPlugin(testPlugin('spec').plugin, {
        connection: nc,
        logger: silentLogger,
        prefix: env.prefix,
        streamStorage: env.streamStorage,
      });
      const base = prefix.replace(/[.-]/g, '_');
      const names: string[] = [];
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(`${base.toUpperCase()}_`) || name.startsWith(`KV_${base}_`)) names.push(name);
      }
      const topo = topology({ prefix });
      const buckets = pluginBuckets(prefix);
      expect(names).toEqual(
        expect.arrayContaining([
          ...Object.values(topo.streams).map((s) => s.name),
          `KV_${buckets.config}`,
          `KV_${buckets.plugins}`,
          `KV_${buckets.deliveries('spec')}`,
          `KV_${base}_gateways`,
          `KV_${base}_event_ledger`,
          `KV_${base}_scheduler`,
        ]),
      );
      for (const name of names) expect({ name, ...(await placement(name)) }).toEqual({ name, replicas: 3, peers: ['n1', 'n2', 'n3'] });
    } finally {
      await plugin?.stop();
      await gateway?.close();
      await db?.drop();
    }
  }, 40_000);

  it('a changed replica count updates existing streams and buckets, and provisioning again changes nothing', async () => {
    const prefix = uniquePrefix('replicas_up');
    const bucket = `${prefix}_bucket`;
    await ensureStreams(jsm, topology({ prefix, storage: storage(1) }));
    await openBucket(nc, bucket, { history: 1 }, storage(1));
    expect((await placement(topology({ prefix }).streams.events.name)).replicas).toBe(1);

    const three = topology({ prefix, storage: storage(3) });
    await ensureStreams(jsm, three);
    await openBucket(nc, bucket, { history: 1 }, storage(3));
    for (const name of [...Object.values(three.streams).map((s) => s.name), `KV_${bucket}`]) {
      expect({ name, ...(await placement(name)) }).toEqual({ name, replicas: 3, peers: ['n1', 'n2', 'n3'] });
    }

    const watch = await watchStreamWrites(nc);
    await ensureStreams(jsm, three);
    await openBucket(nc, bucket, { history: 1 }, storage(3));
    await watch.flush();
    expect(watch.writes).toEqual([]);

    await ensureStreams(jsm, topology({ prefix, storage: storage(1) }));
    expect((await placement(three.streams.deliver.name)).replicas).toBe(1);
  }, 40_000);

  it('five replicas on three servers fail naming the setting, for a new and for an existing stream', async () => {
    const prefix = uniquePrefix('replicas_five');
    const failure = (storageOf: StreamStorage) =>
      ensureStreams(jsm, topology({ prefix, storage: storageOf })).then(
        () => null,
        (e: unknown) => e,
      );
    const created = await failure(storage(5));
    expect(created).toBeInstanceOf(HeraldError);
    expect((created as Error).message).toMatch(
      /^Cannot keep stream \S+_EVENTS with HERALD_STREAM_REPLICAS=5: the NATS cluster has too few JetStream servers \(no suitable peers for placement\)\. Lower HERALD_STREAM_REPLICAS/,
    );
    await ensureStreams(jsm, topology({ prefix, storage: storage(1) }));
    const updated = await failure(storage(5));
    expect((updated as Error).message).toMatch(
      /^Cannot keep stream \S+_EVENTS with HERALD_STREAM_REPLICAS=5: the NATS cluster has too few/,
    );
  });

  it('placement tags put streams and buckets on the servers carrying them', async () => {
    const prefix = uniquePrefix('replicas_tag');
    const topo = topology({ prefix, storage: storage(1, ['node:n2']) });
    await ensureStreams(jsm, topo);
    await openBucket(nc, `${prefix}_bucket`, { history: 1 }, storage(1, ['node:n2']));
    for (const name of [...Object.values(topo.streams).map((s) => s.name), `KV_${prefix}_bucket`]) {
      expect({ name, ...(await placement(name)) }).toEqual({ name, replicas: 1, peers: ['n2'] });
    }
    const error = await ensureStreams(jsm, topology({ prefix: `${prefix}_none`, storage: storage(1, ['node:n9']) })).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /^Cannot keep stream \S+_EVENTS with HERALD_STREAM_REPLICAS=1 and HERALD_STREAM_PLACEMENT_TAGS=node:n9: the NATS cluster has too few JetStream servers carrying those server_tags/,
    );
  });

  it('a client given the server list keeps publishing when the node it is connected to is killed', async () => {
    const topo = topology({ prefix: uniquePrefix('replicas_fo'), storage: storage(3) });
    await ensureStreams(jsm, topo);
    const client = await connectNats({ url: cluster.urls, name: 'failover-test' });
    try {
      const js = jetstream(client);
      await js.publish(topo.subjects.event('before_kill'), '{}');
      const connectedTo = client.info?.server_name;
      const victim = cluster.nodes.find((n) => n.name === connectedTo);
      expect(victim).toBeDefined();
      await victim!.kill();
      const ack = await waitFor(
        () => js.publish(topo.subjects.event('after_kill'), '{}', { timeout: 2_000 }).catch(() => null),
        (a) => a !== null,
        20_000,
        200,
      );
      expect(ack?.seq).toBe(2);
      expect(client.info?.server_name).not.toBe(connectedTo);
      await victim!.start();
    } finally {
      await client.close();
    }
  }, 40_000);
});
