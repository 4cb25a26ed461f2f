/**
 * Webhooks bench (run once by hand, not part of `npm run bench`):
 *
 *   npm run build && node test/bench/webhooks-deferred.mjs [--messages 10000] [--clock-factor 60]
 *
 * Over the built packages, the production wiring (`openWebhooksPlugin` + `runPlugin`, the
 * production pool from `openWebhooksDatabase`), real NATS JetStream and PostgreSQL (own prefix and
 * database, removed at the end), and a local HTTP sink:
 *
 * 1. Round trips per message on the happy path: 2 000 messages to one system endpoint answering
 *    200, real clock. PostgreSQL statements are counted by a proxy over the pool; KV operations on
 *    the SDK's idempotency bucket by a core subscription on its subjects (gets and writes).
 * 2. Deferred, not dropped: `--messages` (default 10 000) messages with every 50th request (2 %)
 *    answered 500. The status machine is DefectDojo's (one 500 → inactive_tmp for 60 s), so after
 *    each 500 the endpoint receives nothing for 60 s of clock time; the clock runs
 *    `--clock-factor` times faster than real time (default 60: 60 s pass in 1 s) so the run
 *    takes minutes, not hours. Checks: every message accepted exactly once (per `webhook-id`), no
 *    status `dropped` or `failed`, no dead letter, nothing left deferred.
 *
 * Prints one JSON object. Needs NATS_URL / DATABASE_URL (or the local defaults) on 127.0.0.1.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  connectNats,
  deliveryId,
  pluginBuckets,
  runPlugin,
  SecretBox,
  silentLogger,
  topology,
  validateEvent,
  MESSAGE_HEADERS,
  parseAllowList,
} from '../../contracts/dist/index.js';
import { deleteTopology } from '../../contracts/dist/testing/index.js';
import { openWebhooksDatabase, openWebhooksPlugin } from '../../plugins/webhooks/dist/index.js';

const { values: args } = parseArgs({
  options: { messages: { type: 'string', default: '10000' }, 'clock-factor': { type: 'string', default: '60' } },
});
const MESSAGES = Number(args.messages);
const FACTOR = Number(args['clock-factor']);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
for (const url of [NATS_URL, SERVER_URL]) {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`refusing ${host}: the bench only targets 127.0.0.1`);
}
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const log = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

async function waitUntil(read, done, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await sleep(100);
  }
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function maintenance(statement) {
  const client = new pg.Client({ connectionString: withDatabase(SERVER_URL, 'postgres') });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A pool that counts the statements it runs (pool.query and statements on checked-out clients). */
function countingPool(pool, counter) {
  const wrapClient = (client) =>
    new Proxy(client, {
      get(target, prop) {
        if (prop === 'query') return (...a) => ((counter.pg += 1), target.query(...a));
        const value = target[prop];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') return (...a) => ((counter.pg += 1), target.query(...a));
      if (prop === 'connect') return async () => wrapClient(await target.connect());
      const value = target[prop];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function channelMessage(id, n) {
  const result = validateEvent(
    { specversion: '1.0', id, source: 'bench', type: 'product_added', data: { product: { id: String(n), name: `P${n}` } } },
    new Date(),
  );
  if (!result.ok) throw new Error('bad event');
  const destination = { scope: 'system' };
  return {
    delivery_id: deliveryId(result.event, 'webhooks', destination),
    channel: 'webhooks',
    event: result.event,
    destination,
    site_url: 'https://dojo.example.com',
    event_label: 'Product Added',
  };
}

async function publishAll(js, subject, messages) {
  for (let i = 0; i < messages.length; i += 1_000) {
    await Promise.all(
      messages.slice(i, i + 1_000).map((m) => {
        const h = natsHeaders();
        h.set(MESSAGE_HEADERS.eventId, m.event.id);
        h.set(MESSAGE_HEADERS.eventType, m.event.type);
        return js.publish(subject, JSON.stringify(m), { msgID: m.delivery_id, headers: h });
      }),
    );
  }
}

/** One scenario: its own prefix, database, sink and plugin. */
async function scenario(name, { count, factor, failEvery }) {
  const prefix = `bench_wh_${randomBytes(4).toString('hex')}`;
  const dbName = `herald_b_${randomBytes(6).toString('hex')}`;
  await maintenance(`create database ${dbName}`);
  const nc = await connectNats({ url: NATS_URL, name: `bench-webhooks-${name}` });
  const counter = { pg: 0, kvGet: 0, kvWrite: 0 };
  const basePool = openWebhooksDatabase({ databaseUrl: withDatabase(SERVER_URL, dbName), dataDir: '/tmp/herald-bench-unused' });
  const pool = countingPool(basePool, counter);
  const accepted = new Map();
  let served = 0;
  let answered500 = 0;
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      served += 1;
      const id = String(req.headers['webhook-id']);
      const fail = failEvery > 0 && served % failEvery === 0;
      if (fail) answered500 += 1;
      else accepted.set(id, (accepted.get(id) ?? 0) + 1);
      res.writeHead(fail ? 500 : 200).end('{}');
    });
  });
  await new Promise((done) => sink.listen(0, '127.0.0.1', done));
  const start = Date.now();
  const startClock = Date.now();
  const clock = { now: () => new Date(startClock + (Date.now() - start) * factor) };
  const opened = await openWebhooksPlugin({
    pool,
    nc,
    prefix,
    logger: silentLogger,
    secretKey: SecretBox.generateKey(),
    siteUrl: 'https://dojo.example.com',
    allowPrivate: parseAllowList('127.0.0.0/8'),
    clock,
  });
  const topo = topology({ prefix });
  const statuses = { delivered: 0, retrying: 0, dropped: 0, failed: 0 };
  let deadLetters = 0;
  const bucket = pluginBuckets(prefix).deliveries('webhooks');
  const subs = [
    nc.subscribe(topo.subjects.status('webhooks'), {
      callback: (_e, m) => {
        const report = m.json(); // one status, or a batch of them (`{ "statuses": [...] }`)
        for (const status of Array.isArray(report.statuses) ? report.statuses : [report]) statuses[status.outcome] += 1;
      },
    }),
    nc.subscribe(topo.subjects.dead('deliver', 'webhooks'), { callback: () => (deadLetters += 1) }),
    nc.subscribe(`$KV.${bucket}.>`, { callback: () => (counter.kvWrite += 1) }),
    nc.subscribe(`$JS.API.DIRECT.GET.KV_${bucket}.>`, { callback: () => (counter.kvGet += 1) }),
    nc.subscribe(`$JS.API.DIRECT.GET.KV_${bucket}`, { callback: () => (counter.kvGet += 1) }),
    nc.subscribe(`$JS.API.STREAM.MSG.GET.KV_${bucket}`, { callback: () => (counter.kvGet += 1) }),
  ];
  await nc.flush();
  const running = await runPlugin(opened.plugin, { connection: nc, prefix, logger: silentLogger, config: { timeout_seconds: 10 } });
  await opened.store.create(
    {
      name: 'sink',
      url: `http://127.0.0.1:${sink.address().port}/hook`,
      header_name: null,
      header_value: null,
      signing_secrets: [secret],
      owner: null,
      note: null,
    },
    clock.now(),
  );
  const messages = Array.from({ length: count }, (_, i) => channelMessage(`${name}-${i}`, i));
  const before = { ...counter };
  const t0 = Date.now();
  log(`${name}: publishing ${count} messages`);
  await publishAll(jetstream(nc), topo.subjects.deliver('webhooks'), messages);
  let lastLog = Date.now();
  await waitUntil(
    () => {
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`${name}: ${accepted.size}/${count} delivered, ${answered500} answered 500, deferred rows pending`);
      }
      return accepted.size;
    },
    (n) => n === count,
    30 * 60_000,
    `${count} deliveries`,
  );
  const seconds = (Date.now() - t0) / 1_000;
  await waitUntil(
    () => statuses.delivered,
    (n) => n >= count,
    60_000,
    'final statuses',
  );
  await sleep(500);
  const deferredLeft = await opened.store.deferredCount();
  const duplicates = [...accepted.values()].filter((n) => n > 1).length;
  const result = {
    scenario: name,
    messages: count,
    clock_factor: factor,
    answered_500: answered500,
    requests: served,
    delivered_once: [...accepted.values()].filter((n) => n === 1).length,
    duplicates,
    statuses,
    dead_letters: deadLetters,
    deferred_left: deferredLeft,
    seconds: Number(seconds.toFixed(1)),
    messages_per_s: Number((count / seconds).toFixed(0)),
    pg_statements_per_message: Number(((counter.pg - before.pg) / count).toFixed(2)),
    kv_gets_per_message: Number(((counter.kvGet - before.kvGet) / count).toFixed(2)),
    kv_writes_per_message: Number(((counter.kvWrite - before.kvWrite) / count).toFixed(2)),
  };
  opened.close();
  await running.stop(5_000);
  await opened.resumer.stop();
  for (const s of subs) s.unsubscribe();
  sink.closeAllConnections();
  await new Promise((done) => sink.close(done));
  await basePool.end();
  await deleteTopology(nc, topo);
  await nc.drain();
  await maintenance(`drop database if exists ${dbName} with (force)`);
  return result;
}

const happy = await scenario('happy', { count: 2_000, factor: 1, failEvery: 0 });
log(JSON.stringify(happy));
const deferred = await scenario('two-percent', { count: MESSAGES, factor: FACTOR, failEvery: 50 });
log(JSON.stringify(deferred));
const ok =
  deferred.delivered_once === MESSAGES &&
  deferred.duplicates === 0 &&
  deferred.statuses.dropped === 0 &&
  deferred.statuses.failed === 0 &&
  deferred.dead_letters === 0 &&
  deferred.deferred_left === 0;
process.stdout.write(`${JSON.stringify({ happy, deferred, every_message_delivered_once: ok })}\n`);
process.exit(ok ? 0 : 1);
