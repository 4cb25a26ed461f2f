/**
 * Cluster proof (issue 12): Herald on a 3-node NATS cluster with 3 replicas per stream and KV
 * bucket, 2 gateways and 2 webhooks plugins as their own processes, survives `kill -9` of one NATS
 * node mid-burst, and of the node leading the deliver stream: every event is delivered to the
 * HTTP sink, and an event received twice carries the same delivery id (`webhook-id`) both times.
 *
 *   npm run build && node test/bench/cluster.mjs
 *
 * Needs `/usr/sbin/nats-server` (Debian's package) and the local PostgreSQL (DATABASE_URL's server,
 * else postgresql://postgres@127.0.0.1:5432); creates its own database `herald_c_<hex>`, a temp
 * dir for the NATS stores, and removes everything at the end (also on Ctrl-C). Knobs:
 * CLUSTER_BENCH_EVENTS (events per phase, default 2000), CLUSTER_BENCH_RATE (events/s, default 200).
 * Prints the figures per phase and one JSON line; exits 1 when an event was lost or delivered twice
 * with different delivery ids.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { EVENT_CATALOGUE, topology } from '@herald/contracts';
import { resolveDatabaseUrl, startNatsCluster } from '@herald/contracts/testing';
import { GATEWAY_NODE_ARGS, freePort, heraldNodeOptions, pluginNodeArgs, sleep, startNode, stopAllChildren, waitUntil } from './lib.mjs';
import { registerBuiltinChannels } from './builtin-registrations.mjs';

const EVENTS = Number(process.env.CLUSTER_BENCH_EVENTS ?? 2_000);
const RATE = Number(process.env.CLUSTER_BENCH_RATE ?? 200);
const REPLICAS = 3;
const PREFIX = 'herald';
/** The killed node comes back after this long, ms. */
const DOWN_MS = 5_000;

const t0 = Date.now();
const log = (line) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
const cleanups = [];
async function runCleanups() {
  await stopAllChildren();
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      log(`cleanup: ${error.message}`);
    }
  }
}

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(serverUrl, text) {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The HTTP sink of the system webhook: every receipt as (event id = payload title, delivery id = webhook-id). */
async function startSink() {
  const receipts = new Map(); // event id → delivery ids, one entry per receipt
  let pings = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const deliveryId = String(req.headers['webhook-id'] ?? '');
      let title = '';
      try {
        title = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).title ?? '');
      } catch {
        /* counted as a ping below */
      }
      if (title === '' || deliveryId.startsWith('ping_')) pings++;
      else receipts.set(title, [...(receipts.get(title) ?? []), deliveryId]);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: server.address().port, receipts, pings: () => pings };
}

const productAdded = (id) => ({
  specversion: '1.0',
  id,
  source: 'cluster-bench',
  type: 'product_added',
  data: { title: id, description: 'Cluster proof event', product: { id: '1', name: 'Product 1' } },
});

/** Publishes until acknowledged (same Nats-Msg-Id on every try, so the stream keeps one copy). */
async function publishUntilAcked(js, subject, event, stats) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const ack = await js.publish(subject, JSON.stringify(event), { msgID: event.id, timeout: 3_000 });
      if (ack.duplicate) stats.duplicateAcks++;
      return;
    } catch (error) {
      stats.retries++;
      if (Date.now() > deadline) throw new Error(`publish of ${event.id} not acknowledged within 120 s: ${error.message}`);
      await sleep(250);
    }
  }
}

async function main() {
  const summary = { bench: 'cluster', started_at: new Date().toISOString(), events_per_phase: EVENTS, rate_per_s: RATE, phases: [] };
  let failed = false;
  try {
    const dbServer = await resolveDatabaseUrl();
    if (!['127.0.0.1', 'localhost'].includes(new URL(dbServer).hostname)) throw new Error('PostgreSQL must be on 127.0.0.1');
    log('nats: starting a 3-node cluster (nats-server ×3, own stores, cluster routes)');
    const cluster = await startNatsCluster({ size: 3 });
    cleanups.push(() => cluster.stop());
    log(`nats: ${cluster.urls}`);
    const nc = await connect({ servers: cluster.urls.split(','), name: 'cluster-bench', maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    cleanups.push(() => nc.close());
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const topo = topology({ prefix: PREFIX });

    const dbName = `herald_c_${randomBytes(6).toString('hex')}`;
    await adminQuery(dbServer, `create database ${dbName}`);
    cleanups.push(() => adminQuery(dbServer, `drop database if exists ${dbName} with (force)`));
    const databaseUrl = withDatabase(dbServer, dbName);
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-cluster-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const sink = await startSink();
    cleanups.push(() => new Promise((done) => sink.server.close(() => done())));

    const secretKey = randomBytes(32).toString('base64');
    const adminToken = `bench-${randomBytes(16).toString('hex')}`;
    const common = {
      NATS_URL: cluster.urls,
      DATABASE_URL: databaseUrl,
      HERALD_SUBJECT_PREFIX: PREFIX,
      HERALD_SECRET_KEY: secretKey,
      HERALD_STREAM_REPLICAS: String(REPLICAS),
      HERALD_LOG_LEVEL: 'warn',
      HERALD_DATA_DIR: dataDir,
      HERALD_SITE_URL: 'http://localhost:8080',
    };
    const waitReady = (label, handle, url) =>
      waitUntil(
        async () => {
          if (handle.child.exitCode !== null) throw new Error(`${label} exited:\n${handle.output()}`);
          return fetch(`${url}/health/ready`).then(
            (r) => r.status,
            () => 0,
          );
        },
        (status) => status === 200,
        { timeoutMs: 90_000, intervalMs: 200, what: `${label} /health/ready` },
      );

    // One at a time: each applies its migrations at start.
    const gateways = [];
    for (const n of [1, 2]) {
      const port = await freePort();
      const handle = startNode(
        'gateway/dist/main.js',
        { ...common, HERALD_HTTP_PORT: String(port), HERALD_ADMIN_TOKEN: adminToken, NODE_OPTIONS: heraldNodeOptions() },
        { label: `gateway-${n}`, nodeArgs: GATEWAY_NODE_ARGS },
      );
      await waitReady(`gateway-${n}`, handle, `http://127.0.0.1:${port}`);
      gateways.push({ handle, url: `http://127.0.0.1:${port}` });
      log(`gateway-${n}: ready on port ${port} (node gateway/dist/main.js, HERALD_STREAM_REPLICAS=${REPLICAS})`);
    }
    const api = async (base, method, path, body) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
      return res.status === 204 ? null : res.json();
    };
    // The plugins start later: their registrations first, as they will write them.
    const registrations = await registerBuiltinChannels(nc, PREFIX);
    await api(gateways[0].url, 'PUT', '/channels/webhooks/config', { enabled: true, settings: { timeout_seconds: 5 } });
    await registrations.stop();
    const emptyRow = Object.fromEntries(EVENT_CATALOGUE.map((t) => [t.name, []]));
    await api(gateways[0].url, 'PUT', '/settings/system', { events: { ...emptyRow, product_added: ['webhooks'] } });

    const plugins = [];
    for (const n of [1, 2]) {
      const port = await freePort();
      const handle = startNode(
        'plugins/webhooks/dist/main.js',
        {
          ...common,
          HERALD_PLUGIN_HTTP_PORT: String(port),
          HERALD_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.0/8',
          NODE_OPTIONS: heraldNodeOptions(),
        },
        { label: `webhooks-${n}`, nodeArgs: pluginNodeArgs('webhooks') },
      );
      await waitReady(`webhooks-${n}`, handle, `http://127.0.0.1:${port}`);
      plugins.push({ handle, url: `http://127.0.0.1:${port}` });
      log(`webhooks-${n}: ready on port ${port} (node plugins/webhooks/dist/main.js)`);
    }
    await api(plugins[0].url, 'POST', '/webhooks', { name: 'cluster-sink', url: `http://127.0.0.1:${sink.port}/hook`, skip_ping: true });

    // Every stream and bucket on three servers.
    const replicaCounts = {};
    for await (const name of jsm.streams.names()) replicaCounts[name] = (await jsm.streams.info(name)).config.num_replicas;
    summary.replicas = replicaCounts;
    const notReplicated = Object.entries(replicaCounts).filter(([, r]) => r !== REPLICAS);
    log(`nats: ${Object.keys(replicaCounts).length} streams and buckets, replicas ${[...new Set(Object.values(replicaCounts))].join(',')}`);
    if (notReplicated.length > 0) throw new Error(`not on ${REPLICAS} replicas: ${JSON.stringify(notReplicated)}`);

    // The pipeline works before any fault (and the snapshot is loaded on both gateways).
    await publishUntilAcked(js, topo.subjects.event('product_added'), productAdded('warm-up'), { retries: 0, duplicateAcks: 0 });
    await waitUntil(
      () => sink.receipts.has('warm-up'),
      (done) => done,
      { timeoutMs: 30_000, intervalMs: 100, what: 'the warm-up webhook' },
    );
    log('pipeline: warm-up event reached the sink');

    const leaderOf = async (stream) => (await jsm.streams.info(stream)).cluster?.leader ?? null;

    const phases = [
      { name: 'one node killed', pick: async () => cluster.nodes.find((n) => n.name === 'n2') },
      {
        name: 'deliver stream leader killed',
        pick: async () => {
          const leader = await leaderOf(topo.streams.deliver.name);
          return cluster.nodes.find((n) => n.name === leader);
        },
      },
    ];
    for (const [index, phase] of phases.entries()) {
      const label = `p${index + 1}`;
      const stats = { retries: 0, duplicateAcks: 0 };
      const leadersBefore = { events: await leaderOf(topo.streams.events.name), deliver: await leaderOf(topo.streams.deliver.name) };
      const victim = await phase.pick();
      if (!victim) throw new Error(`${phase.name}: no node to kill`);
      log(
        `${label} (${phase.name}): ${EVENTS} events at ${RATE}/s; kill -9 ${victim.name} after 30 % (leaders: events ${leadersBefore.events}, deliver ${leadersBefore.deliver})`,
      );
      const killAt = Math.floor(EVENTS * 0.3);
      const pending = [];
      let restart;
      const started = Date.now();
      for (let i = 0; i < EVENTS; i++) {
        const due = started + (i * 1000) / RATE;
        if (Date.now() < due) await sleep(due - Date.now());
        if (i === killAt) {
          await victim.kill();
          log(`${label}: killed ${victim.name} (SIGKILL) after ${i} events; restarting it in ${DOWN_MS / 1000} s`);
          restart = sleep(DOWN_MS).then(async () => {
            await victim.start();
            log(`${label}: ${victim.name} restarted and serving JetStream`);
          });
        }
        const id = `${label}-${i}`;
        pending.push(publishUntilAcked(js, topo.subjects.event('product_added'), productAdded(id), stats));
      }
      await Promise.all(pending);
      await restart;
      const publishedAt = Date.now();
      log(
        `${label}: all ${EVENTS} events acknowledged by JetStream (${stats.retries} publish retries) in ${((publishedAt - started) / 1000).toFixed(1)} s`,
      );
      const ids = Array.from({ length: EVENTS }, (_, i) => `${label}-${i}`);
      await waitUntil(
        () => ids.filter((id) => !sink.receipts.has(id)).length,
        (missing) => missing === 0,
        { timeoutMs: 180_000, intervalMs: 500, what: `every ${label} webhook at the sink` },
      ).catch((error) => log(`${label}: ${error.message}`));
      // Quiet: nothing left to deliver or redeliver, so no later duplicate can arrive.
      await waitUntil(
        async () => {
          const deliver = await jsm.streams.info(topo.streams.deliver.name).catch(() => null);
          const events = await jsm.consumers.info(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable).catch(() => null);
          const hooks = await jsm.consumers.info(topo.streams.deliver.name, 'webhooks').catch(() => null);
          return (
            deliver?.state.messages === 0 &&
            events?.num_pending === 0 &&
            events?.num_ack_pending === 0 &&
            hooks?.num_ack_pending === 0 &&
            hooks?.num_pending === 0
          );
        },
        (quiet) => quiet,
        { timeoutMs: 120_000, intervalMs: 500, what: `${label}: the deliver stream and both consumers idle` },
      ).catch((error) => log(`${label}: ${error.message}`));
      const received = ids.filter((id) => sink.receipts.has(id));
      const twice = ids.filter((id) => (sink.receipts.get(id)?.length ?? 0) > 1);
      const sameId = twice.filter((id) => new Set(sink.receipts.get(id)).size === 1);
      const figures = {
        phase: phase.name,
        killed: victim.name,
        leaders_before: leadersBefore,
        leaders_after: { events: await leaderOf(topo.streams.events.name), deliver: await leaderOf(topo.streams.deliver.name) },
        published: EVENTS,
        expected: EVENTS,
        received: received.length,
        lost: EVENTS - received.length,
        duplicates_same_delivery_id: sameId.length,
        duplicates_different_delivery_id: twice.length - sameId.length,
        publish_retries: stats.retries,
        publish_duplicate_acks: stats.duplicateAcks,
        seconds_to_all_delivered: Number(((Date.now() - started) / 1000).toFixed(1)),
      };
      summary.phases.push(figures);
      log(
        `${label}: published ${figures.published}, expected ${figures.expected}, received ${figures.received}, lost ${figures.lost}, ` +
          `duplicates with same id ${figures.duplicates_same_delivery_id}, with different ids ${figures.duplicates_different_delivery_id}`,
      );
      if (figures.lost > 0)
        log(
          `${label}: missing e.g. ${ids
            .filter((id) => !sink.receipts.has(id))
            .slice(0, 10)
            .join(', ')}`,
        );
      if (figures.lost > 0 || figures.duplicates_different_delivery_id > 0) failed = true;
      for (const p of [...gateways, ...plugins]) {
        if (p.handle.child.exitCode !== null) throw new Error(`${p.handle.label} exited during ${label}:\n${p.handle.output()}`);
      }
    }
  } catch (error) {
    failed = true;
    summary.error = error.message;
    log(`failed: ${error.stack ?? error.message}`);
  } finally {
    await runCleanups();
  }
  summary.result = failed ? 'FAILED' : 'passed';
  log(`result: ${summary.result}`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = failed ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void runCleanups().finally(() => process.exit(130));
  });
}

await main();
