/**
 * Herald's benchmarks (SPEC §11), run by `npm run bench` after `npm run build`. Not tests: a plain
 * Node script over the BUILT packages, against the local NATS (127.0.0.1:4222 or NATS_URL) and
 * PostgreSQL (127.0.0.1:5432 or DATABASE_URL's server). Every figure is printed with a baseline
 * measured in the same run and the ratio, as a table and as JSON (last line of output and
 * test/bench/results.json). Everything created (a unique subject prefix's streams and KV buckets,
 * a `herald_b_<hex>` database, a temp dir, child processes) is removed at the end.
 * See test/bench/README.md for what each figure means.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { EVENT_CATALOGUE, MESSAGE_HEADERS, ensureConsumer, ensureStreams, silentLogger, topology } from '@herald/contracts';
import { deleteTopology, resolveDatabaseUrl, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { openWebhooksPlugin } from '@herald/plugin-webhooks';
import {
  MB,
  REPO_ROOT,
  freePort,
  median,
  percentile,
  round,
  rssBytes,
  childPids,
  cpuAccount,
  pidsOf,
  runChildJson,
  sampleRss,
  sleep,
  startNode,
  stopAllChildren,
  stopChild,
  waitUntil,
  HERALD_NODE_OPTIONS,
  GATEWAY_NODE_ARGS,
  heraldNodeOptions,
  pluginNodeArgs,
} from './lib.mjs';
import { registerBuiltinChannels } from './builtin-registrations.mjs';
import { node24, nodeTooOld } from '../../cli/node-24.mjs';

// Every process of the bench is started with this script's `node`: on one older than Herald's
// Node 24 each figure would be another runtime's, and the all-in-one's would be its launcher's
// (`cli/start.mjs` re-runs itself on Node 24 as a child). So the bench re-runs itself on Node 24,
// as `npm start` does (installing it the same way when missing).
if (nodeTooOld) {
  const node = node24('bench');
  process.stderr.write(`bench: Node ${process.versions.node} is older than Herald's Node 24; running on ${node}\n`);
  const again = spawnSync(node, [...process.execArgv, import.meta.filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  });
  process.exit(again.status ?? 1);
}

// ---- sizes (SPEC §11) and bounds -----------------------------------------------------------
const USERS = 10_000;
const PRODUCTS = 1_000;
const PRODUCT_TYPES = 100;
const SUBSCRIBERS_PER_PRODUCT = 4; // members with a product row: scan_added → alert + mail
const FANOUT = SUBSCRIBERS_PER_PRODUCT * 2 + 2; // + system slack + system msteams = 10
const ALL_ID = '9999'; // product type + product every user can view (broadcast)
const THROUGHPUT_WARMUP = 300;
const THROUGHPUT_EVENTS = 4_000;
const BROADCAST_RUNS = 3;
const LATENCY_RATE = 500; // events/s (the target's rate)
const LATENCY_WARMUP_MS = 1_500;
const LATENCY_MS = 10_000;
/** Informational second latency run, below saturation; BENCH_REFERENCE_RATE changes it (diagnostics). */
const REFERENCE_RATE = Number(process.env.BENCH_REFERENCE_RATE ?? 100);
/** Diagnostics: single events after idle spells of 0.2–12 s, before the latency runs (BENCH_IDLE_PROBE=1). */
const IDLE_PROBE = process.env.BENCH_IDLE_PROBE === '1';
/** Diagnostics: a copy of /proc/<pid>/smaps of the gateway and every plugin after the memory phase, and of the all-in-one after its idle window (BENCH_SMAPS_DIR). */
const SMAPS_DIR = process.env.BENCH_SMAPS_DIR;
/** Diagnostics: a file that gets one JSON line per sustained step with its late messages (BENCH_SUSTAINED_LATE_LOG). */
const LATE_LOG = process.env.BENCH_SUSTAINED_LATE_LOG ?? null;
/** Diagnostics: a file that gets one JSON line per latency run with every message, warm-up included (BENCH_LATENCY_TRACE). */
const LATENCY_TRACE = process.env.BENCH_LATENCY_TRACE ?? null;
const REFERENCE_MS = 5_000;
const PLUGIN_EVENTS = 300; // scan_added events pushed through every plugin for the memory figure
const PLUGINS = ['alert', 'mail', 'slack', 'msteams', 'webhooks'];
const SUSTAINED_STEP_MS = 20_000; // per rate step …
const SUSTAINED_MEASURED_MS = 10_000; // … of which the last 10 s are measured
const SUSTAINED_P99_MS = 50;
const SUSTAINED_BACKLOG_MS = 1_000; // a message waiting longer than this anywhere in a step = backlog
const SUSTAINED_MAX_RATE = 6_400;
const BIG_BROADCAST_USERS = 100_000;
const PUBLISH_WINDOW = 128; // PubAcks outstanding in the 100k baseline: the gateway's publish window (ChannelPublisher)
const ALL_IN_ONE_IDLE_MS = 5_000;
/** The targets of issue 15 / SPEC §11 (as written there; nothing here is tuned to pass). */
const TARGETS = {
  throughputRatio: 0.8, // ≥ 80 % of the trivial forwarder, same fan-out
  broadcastRatio: 0.5, // 10 000 users: ≤ 0.5× a pipelined publish of 10 000 messages
  bigBroadcastRatio: 1.0, // 100 000 users: ≤ 1.0× a pipelined publish of 100 000 messages …
  bigBroadcastRssMb: 200, // … gateway RSS ≤ 200 MB meanwhile
  latencyP50Ms: 5,
  latencyP99Ms: 25,
  sustainedRatio: 0.5, // Herald's sustained rate ≥ 50 % of the minimal pipeline's
  gatewayMb: 150,
  pluginMb: 100,
  allInOneMb: 250,
  routingExponent: 1.05, // route() 100 → 10 000 candidates
  routingFlat: 1.5, // route() 100 candidates, 100k vs 1k users
};
const ROUTING_PROCESSES = 3; // routing.mjs runs, one after the other; each figure is the median process's
const ALL_PHASES = 'routing,throughput,broadcast,latency,memory,sustained,broadcast100k,allinone';
/** For development: BENCH_PHASES=routing,throughput,broadcast,latency,memory,sustained,broadcast100k,allinone (default: all). */
const PHASES = new Set((process.env.BENCH_PHASES ?? ALL_PHASES).split(',').map((p) => p.trim()));
for (const phase of PHASES)
  if (!ALL_PHASES.split(',').includes(phase)) throw new Error(`BENCH_PHASES: unknown phase "${phase}" (known: ${ALL_PHASES})`);

/** Diagnostics (README "Development knobs"): BENCH_COUNT_PG=1 counts PostgreSQL round trips per process. */
const PG_COUNT_DIR = process.env.BENCH_COUNT_PG === '1' ? mkdtempSync(join(tmpdir(), 'herald-bench-pg-')) : undefined;

/** NODE_OPTIONS (and the counter's env) for a Herald process: the pg counter when on, plus `extra`. */
function diagnosticsEnv(extra) {
  const parts = [];
  if (PG_COUNT_DIR) parts.push(`--import=${pathToFileURL(resolve(REPO_ROOT, 'test/bench/pg-counter.mjs')).href}`);
  if (extra) parts.push(extra);
  // the deployed Node options (Dockerfile) first: every Herald process runs as deployed
  return {
    NODE_OPTIONS: heraldNodeOptions(...parts),
    ...(PG_COUNT_DIR ? { BENCH_PG_COUNT_DIR: PG_COUNT_DIR } : {}),
    // diagnostics: glibc's malloc arenas (e.g. BENCH_MALLOC_ARENA_MAX=2), for every Herald process
    ...(process.env.BENCH_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.BENCH_MALLOC_ARENA_MAX } : {}),
  };
}

/** The pg counter's totals of one process (empty without BENCH_COUNT_PG). */
function pgCounts(pid) {
  if (!PG_COUNT_DIR) return {};
  try {
    return JSON.parse(readFileSync(join(PG_COUNT_DIR, `${pid}.json`), 'utf8'));
  } catch {
    return {};
  }
}

/** Round trips per event between two readings: total and by statement (first words). */
function perEvent(before, after, events) {
  const byStatement = {};
  let total = 0;
  for (const [key, count] of Object.entries(after)) {
    const delta = count - (before[key] ?? 0);
    if (delta === 0) continue;
    total += delta;
    byStatement[key] = round(delta / events, 3);
  }
  return { per_event: round(total / events, 3), total, by_statement: byStatement };
}

const t0 = Date.now();
/** Undo steps of this run (streams, database, temp dir, connections), run in reverse at the end or on a signal. */
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
const log = (line) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

// ---- infrastructure ------------------------------------------------------------------------
function only127(url, what) {
  const host = new URL(url.includes('://') ? url : `nats://${url}`).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`${what} must be on 127.0.0.1 for the bench, got ${host}`);
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

/** The local HTTP sink: webhooks (latency), Teams, and a Slack-compatible API that says ok. */
async function startSink() {
  const received = new Map(); // event id → performance.now() at receipt
  const hits = { webhook: 0, teams: 0, slack: 0, other: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const now = performance.now();
      const url = req.url ?? '';
      if (url.startsWith('/webhook')) {
        hits.webhook++;
        try {
          const title = JSON.parse(Buffer.concat(chunks).toString('utf8')).title;
          if (typeof title === 'string' && !received.has(title)) {
            received.set(title, now);
            sink.onWebhook?.(title, now);
          }
        } catch {
          /* a ping or a malformed body: not a latency sample */
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else if (url.startsWith('/teams')) {
        hits.teams++;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('1');
      } else if (url.startsWith('/slack/')) {
        hits.slack++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: true, channel: 'C0BENCH', ts: '1700000000.000100', user: { id: 'U0BENCH' } }));
      } else {
        hits.other++;
        res.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  /** `onWebhook(title, now)`: optional hook (the sustained-rate search) called on each first receipt. */
  const sink = { server, port: server.address().port, received, hits, onWebhook: undefined };
  return sink;
}

// ---- event builders ------------------------------------------------------------------------
const DESCRIPTION = 'Benchmark scan import with a description of realistic length. '.repeat(4);

function scanEvent(id, index) {
  const product = (index % PRODUCTS) + 1;
  return {
    specversion: '1.0',
    id,
    source: 'bench',
    type: 'scan_added',
    time: new Date().toISOString(),
    data: {
      title: `Scan ${id}`,
      description: DESCRIPTION,
      product: { id: String(product), name: `Product ${product}`, product_type_id: String(((product - 1) % PRODUCT_TYPES) + 1) },
      finding_count: 3,
      actor: { id: '1', username: 'user1' },
    },
  };
}

/** `count` scan_added events with ids `<label>-<i>`, spread over the products. */
const events = (label, count) => Array.from({ length: count }, (_, i) => scanEvent(`${label}-${i}`, i));

async function publishEvents(js, topo, events) {
  const acks = events.map((event) => js.publish(topo.subjects.event(event.type), JSON.stringify(event), { msgID: event.id }));
  await Promise.all(acks);
}

async function streamState(jsm, stream) {
  const info = await jsm.streams.info(stream);
  return { messages: info.state.messages, bytes: info.state.bytes };
}

async function consumerIdle(jsm, topo) {
  const info = await jsm.consumers.info(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable);
  return info.num_pending + info.num_ack_pending === 0;
}

/**
 * Publishes `events` (pipelined) and waits until `expected` more messages are stored in the deliver
 * stream and the events consumer has acknowledged everything. Returns seconds and bytes/message.
 */
async function drive(jsm, js, topo, events, expected) {
  const before = await streamState(jsm, topo.streams.deliver.name);
  const started = performance.now();
  await publishEvents(js, topo, events);
  let stored = 0;
  await waitUntil(
    async () => {
      const state = await streamState(jsm, topo.streams.deliver.name);
      if (stored === 0 && state.messages >= before.messages + expected) stored = performance.now();
      return stored !== 0 && (await consumerIdle(jsm, topo)) ? state : null;
    },
    (state) => state !== null,
    { timeoutMs: 120_000, intervalMs: 20, what: `${expected} channel messages and all events acked` },
  );
  const done = performance.now();
  const after = await streamState(jsm, topo.streams.deliver.name);
  const added = after.messages - before.messages;
  if (added !== expected) throw new Error(`expected ${expected} channel messages, the stream got ${added}`);
  return {
    seconds: (done - started) / 1000,
    storedSeconds: (stored - started) / 1000,
    bytesPerMessage: (after.bytes - before.bytes) / added,
  };
}

/** A `product_added` event whose `title` is its id: system row → webhooks only (fan-out 1). */
const latencyEvent = (id, index) => ({
  specversion: '1.0',
  id,
  source: 'bench',
  type: 'product_added',
  data: {
    title: id,
    description: DESCRIPTION,
    product: { id: String((index % PRODUCTS) + 1), name: `Product ${(index % PRODUCTS) + 1}` },
  },
});

/**
 * One step of the sustained-rate search: `publish(id, i)` at `rate`/s for SUSTAINED_STEP_MS; the
 * latency (publish → the sink received the webhook titled `id`) of the last SUSTAINED_MEASURED_MS
 * is measured. Passes when every message arrived, p99 ≤ SUSTAINED_P99_MS and no message waited
 * longer than SUSTAINED_BACKLOG_MS (no backlog). Stops early once the step cannot pass any more
 * (more than 1 % of the measured messages already over the p99 bound, or a backlog), then waits
 * for the pipeline to drain so the next step starts empty.
 */
async function sustainedStep({ rate, label, publish, sink }) {
  const total = Math.round((rate * SUSTAINED_STEP_MS) / 1000);
  const measuredFrom = total - Math.round((rate * SUSTAINED_MEASURED_MS) / 1000);
  const allowedLate = Math.floor((total - measuredFrom) * 0.01);
  const sent = new Float64Array(total);
  const arrived = new Float64Array(total); // 0 = not yet
  const prefix = `${label}-`;
  let late = 0; // measured messages over the p99 bound
  const lateLog = []; // [sent at (epoch ms), latency ms] of each late measured message (BENCH_SUSTAINED_LATE_LOG)
  let received = 0;
  let errors = 0;
  sink.onWebhook = (title, now) => {
    if (!title.startsWith(prefix)) return;
    const i = Number(title.slice(prefix.length));
    if (!(i >= 0 && i < total) || arrived[i] !== 0) return;
    arrived[i] = now;
    received++;
    if (i >= measuredFrom && now - sent[i] > SUSTAINED_P99_MS) {
      late++;
      if (LATE_LOG) lateLog.push([Math.round(Date.now() - (now - sent[i])), Math.round(now - sent[i])]);
    }
  };
  const interval = 1000 / rate;
  const start = performance.now();
  let next = 0;
  let oldest = 0; // first message not yet received
  let lastCheck = 0;
  let abort = null;
  const check = (now) => {
    while (oldest < next && arrived[oldest] !== 0) oldest++;
    if (oldest < next && now - sent[oldest] > SUSTAINED_BACKLOG_MS)
      return `backlog (message ${oldest} waiting ${(now - sent[oldest]).toFixed(0)} ms)`;
    let overdue = 0;
    for (let i = Math.max(oldest, measuredFrom); i < next; i++) if (arrived[i] === 0 && now - sent[i] > SUSTAINED_P99_MS) overdue++;
    if (late + overdue > allowedLate)
      return `p99 > ${SUSTAINED_P99_MS} ms (${late + overdue} of ${total - measuredFrom} measured messages over it)`;
    return null;
  };
  while (next < total && abort === null) {
    const now = performance.now();
    if (start + next * interval > now) {
      await sleep(Math.max(1, Math.min(5, Math.floor(start + next * interval - now))));
    } else {
      while (next < total && start + next * interval <= now) {
        sent[next] = performance.now();
        publish(`${prefix}${next}`, next).catch(() => errors++);
        next++;
      }
    }
    if (now - lastCheck >= 20) {
      lastCheck = now;
      abort = check(now);
    }
  }
  if (abort === null) {
    const lastSent = performance.now();
    while (received < total && performance.now() - lastSent < SUSTAINED_BACKLOG_MS) await sleep(5);
    abort = check(performance.now());
    if (abort === null && received < total) abort = `backlog (${total - received} not received ${SUSTAINED_BACKLOG_MS} ms after the step)`;
  }
  // drain what is in flight, so the next step starts on an empty pipeline
  const drainUntil = performance.now() + 60_000;
  while (received < next && performance.now() < drainUntil) await sleep(50);
  sink.onWebhook = undefined;
  if (LATE_LOG) appendFileSync(LATE_LOG, `${JSON.stringify({ rate, label, late: lateLog })}\n`);
  const lat = [];
  for (let i = measuredFrom; i < total; i++) if (arrived[i] !== 0) lat.push(arrived[i] - sent[i]);
  const p99 = percentile(lat, 99);
  const pass = abort === null && errors === 0 && lat.length === total - measuredFrom && p99 <= SUSTAINED_P99_MS;
  return {
    rate,
    pass,
    ...(abort !== null ? { stopped: abort } : {}),
    sent: next,
    publish_errors: errors,
    measured: lat.length,
    p50_ms: round(percentile(lat, 50), 2),
    p99_ms: round(p99, 2),
    undrained: next - received,
  };
}

/**
 * The highest rate (a multiple of 100/s) whose step passes: from `startRate`, doubling up or halving
 * down until a pass and a fail bracket it, then bisecting on the 100/s grid. Each rate is run once.
 */
async function searchSustained(startRate, step, label) {
  const steps = new Map();
  const grid = (rate) => Math.max(100, Math.round(rate / 100) * 100);
  const passes = async (rate) => {
    if (!steps.has(rate)) {
      const result = await step(rate);
      steps.set(rate, result);
      log(
        `sustained: ${label} ${rate}/s → ${result.pass ? 'pass' : 'fail'} (p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${result.measured} measured${result.stopped ? `; stopped: ${result.stopped}` : ''})`,
      );
    }
    return steps.get(rate).pass;
  };
  let lo = 0; // highest rate seen passing
  let hi = null; // lowest rate seen failing
  let rate = grid(startRate);
  if (await passes(rate)) {
    lo = rate;
    while (hi === null && rate < SUSTAINED_MAX_RATE) {
      rate = Math.min(SUSTAINED_MAX_RATE, rate * 2);
      if (await passes(rate)) lo = rate;
      else hi = rate;
    }
  } else {
    hi = rate;
    while (lo === 0 && hi > 100) {
      rate = grid(hi / 2);
      if (await passes(rate)) lo = rate;
      else hi = rate;
    }
  }
  while (hi !== null && hi - lo > 100) {
    const mid = grid((lo + hi) / 2);
    if (mid === lo || mid === hi) break;
    if (await passes(mid)) lo = mid;
    else hi = mid;
  }
  return { rate: lo, capped: hi === null, steps: [...steps.values()].sort((a, b) => a.rate - b.rate) };
}

// ---- the run -------------------------------------------------------------------------------
async function main() {
  const results = {
    bench: 'herald',
    started_at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? '', node: process.version },
    parameters: { users: USERS, products: PRODUCTS, product_types: PRODUCT_TYPES, fanout_per_event: FANOUT },
  };
  let failed;
  try {
    // 5. routing: pure, in-process, on a quiet machine (nothing else started yet)
    if (PHASES.has('routing')) {
      // One process's figures move with the machine's memory speed (routing.mjs), so the sweep
      // runs in ROUTING_PROCESSES processes one after the other and each figure is the median
      // process's, every process's figure listed beside it.
      const runs = [];
      for (let i = 1; i <= ROUTING_PROCESSES; i++) {
        log(
          `routing: routing as the gateway does it, and route(), on synthetic snapshots (child process ${i} of ${ROUTING_PROCESSES}: node test/bench/routing.mjs)`,
        );
        const { result, output } = await runChildJson('test/bench/routing.mjs', [], { label: `routing-${i}` });
        for (const line of output.split('\n').filter((l) => l.startsWith('  routing:') || l.startsWith('  route()'))) log(line);
        log(
          `  process ${i}: exponent ${result.growth_exponent_100_to_10000} (route() materialised ${result.materialised.growth_exponent_100_to_10000}), directory ratio ${result.directory_ratio_100k_vs_1k}`,
        );
        runs.push(result);
      }
      const medianBy = (key, of = (run) => run) => [...runs].sort((a, b) => of(a)[key] - of(b)[key])[Math.floor(runs.length / 2)];
      const byExponent = medianBy('growth_exponent_100_to_10000');
      const byDirectory = medianBy('directory_ratio_100k_vs_1k');
      const exponent = byExponent.growth_exponent_100_to_10000;
      results.routing = {
        directory_sweep: byDirectory.directory_sweep,
        directory_ratio_100k_vs_1k: byDirectory.directory_ratio_100k_vs_1k,
        directory_target: `≤ ${TARGETS.routingFlat} (flat in directory size)`,
        directory_met: byDirectory.directory_ratio_100k_vs_1k <= TARGETS.routingFlat,
        candidate_sweep: byExponent.candidate_sweep,
        growth_exponent_100_to_10000: exponent,
        per_candidate_ratio_10000_vs_100: byExponent.per_candidate_ratio_10000_vs_100,
        candidates_target: `growth exponent ≤ ${TARGETS.routingExponent} (100 → 10 000 candidates)`,
        candidates_met: exponent <= TARGETS.routingExponent,
        routing_chunk: byExponent.routing_chunk,
        method: `routeInChunks with the gateway's HERALD_ROUTING_CHUNK default (${byExponent.routing_chunk}), each chunk let go before the next, as RoutingService routes every event; median of ${ROUTING_PROCESSES} processes, each the fastest of 7 interleaved passes per configuration`,
        // route(): the whole result as one chunk (the simulation API); information, see routing.mjs
        materialised: medianBy('growth_exponent_100_to_10000', (run) => run.materialised).materialised,
        processes: runs.map((run) => ({
          growth_exponent_100_to_10000: run.growth_exponent_100_to_10000,
          directory_ratio_100k_vs_1k: run.directory_ratio_100k_vs_1k,
          candidate_us: run.candidate_sweep.map((x) => x.us_per_route),
          materialised_growth_exponent_100_to_10000: run.materialised.growth_exponent_100_to_10000,
          materialised_candidate_us: run.materialised.candidate_sweep.map((x) => x.us_per_route),
          directory_us: run.directory_sweep.map((x) => x.us_per_route),
        })),
      };
      log(`routing: median exponent ${exponent} (processes: ${runs.map((r) => r.growth_exponent_100_to_10000).join(', ')})`);
    }

    const natsUrl = await resolveNatsUrl();
    const dbServer = await resolveDatabaseUrl();
    only127(natsUrl, 'NATS');
    only127(dbServer, 'PostgreSQL');
    const nc = await connect({ servers: natsUrl, name: 'bench' });
    cleanups.push(() => nc.close());
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const prefix = uniquePrefix('bench');
    const basePrefix = uniquePrefix('benchbase');
    const topo = topology({ prefix });
    const baseTopo = topology({ prefix: basePrefix });
    cleanups.push(() => deleteTopology(nc, topo));
    cleanups.push(() => deleteTopology(nc, baseTopo));

    const dbName = `herald_b_${randomBytes(6).toString('hex')}`;
    await adminQuery(dbServer, `create database ${dbName}`);
    cleanups.push(() => adminQuery(dbServer, `drop database if exists ${dbName} with (force)`));
    const databaseUrl = withDatabase(dbServer, dbName);
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const sink = await startSink();
    cleanups.push(() => new Promise((done) => sink.server.close(() => done())));
    sink.server.closeIdleConnections?.();

    const secretKey = randomBytes(32).toString('base64');
    const adminToken = `bench-${randomBytes(16).toString('hex')}`;
    const httpPort = await freePort();
    const commonEnv = { NATS_URL: natsUrl, HERALD_SUBJECT_PREFIX: prefix, HERALD_SECRET_KEY: secretKey, HERALD_LOG_LEVEL: 'warn' };

    // ---- the gateway, in its own process, with its directory -------------------------------
    log(`gateway: starting node gateway/dist/main.js (prefix ${prefix}, database ${dbName})`);
    const gateway = startNode(
      'gateway/dist/main.js',
      {
        ...commonEnv,
        DATABASE_URL: databaseUrl,
        HERALD_HTTP_PORT: String(httpPort),
        HERALD_ADMIN_TOKEN: adminToken,
        HERALD_SITE_URL: 'http://localhost:8080',
        HERALD_DATA_DIR: dataDir,
        // development knob: another broadcast chunk size (see README, "Development knobs")
        ...(process.env.BENCH_ROUTING_CHUNK ? { HERALD_ROUTING_CHUNK: process.env.BENCH_ROUTING_CHUNK } : {}),
        // diagnostics only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (see README)
        ...diagnosticsEnv(process.env.BENCH_GATEWAY_NODE_OPTIONS),
      },
      { label: 'gateway', nodeArgs: GATEWAY_NODE_ARGS },
    );
    const gatewayRss = sampleRss([{ label: 'gateway', pid: gateway.pid }], 200);
    const api = `http://127.0.0.1:${httpPort}`;
    await waitUntil(
      async () => {
        if (gateway.child.exitCode !== null) throw new Error(`gateway exited:\n${gateway.output()}`);
        return fetch(`${api}/health/ready`).then(
          (r) => r.status,
          () => 0,
        );
      },
      (status) => status === 200,
      { timeoutMs: 60_000, intervalMs: 100, what: 'gateway /health/ready' },
    );
    /** Gateway RSS at each stage, MB, and its V8 heap in use (from its /metrics). */
    const gatewayMemory = {};
    const checkpoint = async (stage) => {
      const metrics = await fetch(`${api}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      const heap = /^herald_gateway_nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics);
      gatewayMemory[stage] = { rss_mb: round(rssBytes(gateway.pid) / MB, 1), heap_used_mb: heap ? round(Number(heap[1]) / MB, 1) : null };
    };
    results.gateway_memory_by_stage = gatewayMemory;
    await checkpoint('started');
    const call = async (method, path, body) => {
      const res = await fetch(`${api}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
      return res.status === 204 ? null : res.json();
    };

    log(`seeding: ${USERS} users, ${PRODUCTS} products, ${PRODUCT_TYPES} product types (bulk SQL into the migrated schema)`);
    const seedStarted = Date.now();
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const emptyPersonal = Object.fromEntries(EVENT_CATALOGUE.map((t) => [t.name, []]));
    const personal = { ...emptyPersonal, engagement_added: ['alert'] };
    const productRow = Object.fromEntries(EVENT_CATALOGUE.filter((t) => t.productScoped).map((t) => [t.name, []]));
    productRow.scan_added = ['alert', 'mail'];
    await db.query('begin');
    await db.query(
      `insert into gateway.users (id, username, email, full_name)
       select g::text, 'user' || g, 'user' || g || '@bench.example', 'Bench User ' || g from generate_series(1, $1::int) g`,
      [USERS],
    );
    await db.query(`insert into gateway.product_types (id, name) select g::text, 'Type ' || g from generate_series(1, $1::int) g`, [
      PRODUCT_TYPES,
    ]);
    await db.query(`insert into gateway.product_types (id, name) values ($1, 'Everyone')`, [ALL_ID]);
    await db.query(
      `insert into gateway.products (id, name, product_type_id)
       select g::text, 'Product ' || g, (((g - 1) % $2::int) + 1)::text from generate_series(1, $1::int) g`,
      [PRODUCTS, PRODUCT_TYPES],
    );
    await db.query(`insert into gateway.products (id, name, product_type_id) values ($1, 'Everyone', $1)`, [ALL_ID]);
    // 10 members per product; every user also in product type "Everyone" (the broadcast scope)
    await db.query(
      `insert into gateway.product_members (scope_id, user_id, role)
       select (((g - 1) % $2::int) + 1)::text, g::text, 'Writer' from generate_series(1, $1::int) g`,
      [USERS, PRODUCTS],
    );
    await db.query(
      `insert into gateway.product_type_members (scope_id, user_id, role) select $2, g::text, 'Reader' from generate_series(1, $1::int) g`,
      [USERS, ALL_ID],
    );
    await db.query(`insert into gateway.personal_settings (user_id, events) select g::text, $2::jsonb from generate_series(1, $1::int) g`, [
      USERS,
      JSON.stringify(personal),
    ]);
    await db.query(
      `insert into gateway.product_settings (user_id, product_id, events)
       select g::text, (((g - 1) % $2::int) + 1)::text, $3::jsonb from generate_series(1, $1::int) g`,
      [SUBSCRIBERS_PER_PRODUCT * PRODUCTS, PRODUCTS, JSON.stringify(productRow)],
    );
    await db.query('commit');
    await db.end();
    // channels and the system row through the API (validated, secrets sealed, snapshot invalidated)
    // The plugins start later: their registrations first, as they will write them.
    const registrations = await registerBuiltinChannels(nc, prefix);
    await call('PUT', '/channels/mail/config', { enabled: true, settings: { from: 'herald@bench.example' } });
    await call('PUT', '/channels/slack/config', { enabled: true, settings: { token: 'xoxb-bench', channel: '#bench' } });
    await call('PUT', '/channels/msteams/config', { enabled: true, settings: { url: `http://127.0.0.1:${sink.port}/teams` } });
    await call('PUT', '/channels/webhooks/config', { enabled: true, settings: { timeout_seconds: 5 } });
    await registrations.stop();
    await call('PUT', '/settings/system', {
      events: { ...emptyPersonal, scan_added: ['slack', 'msteams'], product_added: ['webhooks'] },
    });
    results.parameters.seed_seconds = round((Date.now() - seedStarted) / 1000, 1);
    results.parameters.directory = `${USERS} users (no superusers), ${PRODUCTS} products in ${PRODUCT_TYPES} types, 10 members/product, ${SUBSCRIBERS_PER_PRODUCT} product rows/product (scan_added: alert+mail); system row scan_added: slack+msteams, product_added: webhooks; every user member of type ${ALL_ID} and personally subscribed to engagement_added (alert)`;
    results.parameters.channels_enabled = ['alert', 'mail', 'slack', 'msteams', 'webhooks'];

    // first event: loads the snapshot; checks the fan-out
    const firstLoad = performance.now();
    await drive(jsm, js, topo, [scanEvent('check-1', 0)], FANOUT);
    await checkpoint('directory_loaded');
    log(
      `gateway: first event routed with fan-out ${FANOUT} in ${(performance.now() - firstLoad).toFixed(0)} ms (includes the snapshot load)`,
    );

    if (PHASES.has('throughput')) {
      // ---- 1. throughput ----------------------------------------------------------------------
      log(`throughput: gateway, ${THROUGHPUT_WARMUP} warm-up + ${THROUGHPUT_EVENTS} events × fan-out ${FANOUT}`);
      await drive(jsm, js, topo, events('gw-warm', THROUGHPUT_WARMUP), THROUGHPUT_WARMUP * FANOUT);
      const gw = await drive(jsm, js, topo, events('gw', THROUGHPUT_EVENTS), THROUGHPUT_EVENTS * FANOUT);

      log('throughput: trivial forwarder baseline (own process, same streams config, same fan-out)');
      await ensureStreams(jsm, baseTopo);
      await ensureConsumer(jsm, baseTopo.gatewayConsumer);
      const forwarder = startNode(
        'test/bench/forwarder.mjs',
        {},
        { label: 'forwarder', args: [natsUrl, basePrefix, String(FANOUT), '32'] },
      );
      await waitUntil(
        () => forwarder.output(),
        (out) => out.includes('ready') || forwarder.child.exitCode !== null,
        {
          timeoutMs: 20_000,
          what: 'forwarder ready',
        },
      );
      if (forwarder.child.exitCode !== null) throw new Error(`forwarder exited:\n${forwarder.output()}`);
      await drive(jsm, js, baseTopo, events('fw-warm', THROUGHPUT_WARMUP), THROUGHPUT_WARMUP * FANOUT);
      const fw = await drive(jsm, js, baseTopo, events('fw', THROUGHPUT_EVENTS), THROUGHPUT_EVENTS * FANOUT);
      await stopChild(forwarder);
      const gwRate = THROUGHPUT_EVENTS / gw.seconds;
      const fwRate = THROUGHPUT_EVENTS / fw.seconds;
      results.throughput = {
        events: THROUGHPUT_EVENTS,
        fanout: FANOUT,
        gateway_events_per_s: round(gwRate, 0),
        gateway_messages_per_s: round(gwRate * FANOUT, 0),
        gateway_seconds: round(gw.seconds, 2),
        gateway_stored_seconds: round(gw.storedSeconds, 2),
        gateway_bytes_per_message: round(gw.bytesPerMessage, 0),
        baseline_events_per_s: round(fwRate, 0),
        baseline_messages_per_s: round(fwRate * FANOUT, 0),
        baseline_seconds: round(fw.seconds, 2),
        baseline_bytes_per_message: round(fw.bytesPerMessage, 0),
        ratio: round(gwRate / fwRate, 3),
        target: `≥ ${TARGETS.throughputRatio} of the baseline`,
        met: gwRate / fwRate >= TARGETS.throughputRatio,
      };
      await checkpoint('after_throughput');
      log(`throughput: gateway ${gwRate.toFixed(0)} ev/s, forwarder ${fwRate.toFixed(0)} ev/s → ${((gwRate / fwRate) * 100).toFixed(1)} %`);
    }
    if (PHASES.has('broadcast')) {
      // ---- 2. broadcast to 10 000 users ------------------------------------------------------
      log(
        `broadcast: 1 event → ${USERS} alerts (gateway) vs ${USERS} pipelined publishes (same client library), ${BROADCAST_RUNS} runs each`,
      );
      const gwStored = [];
      const gwAcked = [];
      const gwBytes = [];
      for (let run = 0; run < BROADCAST_RUNS; run++) {
        const event = {
          specversion: '1.0',
          id: `bc-${run}`,
          source: 'bench',
          type: 'engagement_added',
          data: {
            title: `Broadcast ${run}`,
            description: DESCRIPTION,
            product: { id: ALL_ID, name: 'Everyone', product_type_id: ALL_ID },
            engagement: { id: `e${run}`, name: `Engagement ${run}`, product_id: ALL_ID },
          },
        };
        const before = await streamState(jsm, topo.streams.deliver.name);
        const started = performance.now();
        await js.publish(topo.subjects.event(event.type), JSON.stringify(event), { msgID: event.id });
        let stored = 0;
        await waitUntil(
          async () => {
            if (stored === 0) {
              const state = await streamState(jsm, topo.streams.deliver.name);
              if (state.messages >= before.messages + USERS) stored = performance.now();
              return false;
            }
            return consumerIdle(jsm, topo);
          },
          (idle) => idle === true,
          { timeoutMs: 120_000, intervalMs: 5, what: 'broadcast stored and acked' },
        );
        const acked = performance.now();
        const after = await streamState(jsm, topo.streams.deliver.name);
        if (after.messages - before.messages !== USERS)
          throw new Error(`broadcast: expected ${USERS} messages, got ${after.messages - before.messages}`);
        gwStored.push(stored - started);
        gwAcked.push(acked - started);
        gwBytes.push((after.bytes - before.bytes) / USERS);
      }
      await ensureStreams(jsm, baseTopo);
      const blBefore = await streamState(jsm, baseTopo.streams.deliver.name);
      const { result: published } = await runChildJson(
        'test/bench/publisher.mjs',
        [natsUrl, basePrefix, String(USERS), String(BROADCAST_RUNS)],
        {
          label: 'publisher',
        },
      );
      const blStored = published.runs_ms;
      const blAfter = await streamState(jsm, baseTopo.streams.deliver.name);
      if (blAfter.messages - blBefore.messages !== USERS * BROADCAST_RUNS) throw new Error('broadcast baseline: messages missing');
      const blBytes = [(blAfter.bytes - blBefore.bytes) / (USERS * BROADCAST_RUNS)];
      const bcGw = median(gwStored);
      const bcBl = median(blStored);
      results.broadcast = {
        recipients: USERS,
        runs: BROADCAST_RUNS,
        gateway_ms: round(bcGw, 0),
        gateway_runs_ms: gwStored.map((v) => round(v, 0)),
        gateway_acked_ms: round(median(gwAcked), 0),
        gateway_bytes_per_message: round(median(gwBytes), 0),
        baseline_ms: round(bcBl, 0),
        baseline_runs_ms: blStored.map((v) => round(v, 0)),
        baseline_bytes_per_message: round(median(blBytes), 0),
        ratio: round(bcGw / bcBl, 2),
        target: `≤ ${TARGETS.broadcastRatio}× the baseline`,
        met: bcGw / bcBl <= TARGETS.broadcastRatio,
      };
      await checkpoint('after_broadcast');
      log(
        `broadcast: gateway ${bcGw.toFixed(0)} ms to store (${median(gwAcked).toFixed(0)} ms to ack), baseline ${bcBl.toFixed(0)} ms → ${(bcGw / bcBl).toFixed(2)}×`,
      );
    }
    if (PHASES.has('latency') || PHASES.has('memory') || PHASES.has('sustained')) {
      // ---- plugins (own processes) for latency and memory -------------------------------------
      await jsm.streams.purge(topo.streams.deliver.name); // the plugins start on an empty queue
      const whPool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      const opened = await openWebhooksPlugin({
        pool: whPool,
        nc,
        prefix,
        logger: silentLogger,
        secretKey,
        siteUrl: 'http://localhost:8080',
      });
      await opened.store.create(
        {
          name: 'bench-sink',
          url: `http://127.0.0.1:${sink.port}/webhook`,
          header_name: null,
          header_value: null,
          signing_secrets: [],
          owner: null,
          note: null,
        },
        new Date(),
      );
      opened.close();
      await whPool.end();
      log(`plugins: starting ${PLUGINS.join(', ')} (node plugins/<channel>/dist/main.js each)`);
      const plugins = PLUGINS.map((channel) =>
        startNode(
          `plugins/${channel}/dist/main.js`,
          {
            ...commonEnv,
            HERALD_PLUGIN_HTTP_PORT: '0',
            HERALD_DATA_DIR: dataDir,
            HERALD_SITE_URL: 'http://localhost:8080',
            ...(channel === 'alert' || channel === 'webhooks' ? { DATABASE_URL: databaseUrl } : {}),
            ...(channel === 'webhooks' ? { HERALD_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.0/8' } : {}),
            ...(channel === 'slack' ? { SLACK_API_URL: `http://127.0.0.1:${sink.port}/slack/api/` } : {}),
            // diagnostics only (see README)
            ...diagnosticsEnv(
              [process.env.BENCH_PLUGINS_NODE_OPTIONS, channel === 'webhooks' ? process.env.BENCH_WEBHOOKS_NODE_OPTIONS : undefined]
                .filter(Boolean)
                .join(' ') || undefined,
            ),
          },
          {
            label: channel,
            // diagnostics only: V8 flags that NODE_OPTIONS refuses, on each plugin's command line
            nodeArgs: [...pluginNodeArgs(channel), ...(process.env.BENCH_PLUGINS_NODE_ARGS ?? '').split(' ').filter(Boolean)],
          },
        ),
      );
      const pluginRss = sampleRss(
        plugins.map((p) => ({ label: p.label, pid: p.pid })),
        200,
      );
      await waitUntil(
        async () => {
          for (const p of plugins) if (p.child.exitCode !== null) throw new Error(`plugin ${p.label} exited:\n${p.output()}`);
          const ok = await Promise.all(
            PLUGINS.map((c) =>
              jsm.consumers.info(topo.streams.deliver.name, c).then(
                () => true,
                () => false,
              ),
            ),
          );
          return ok.every(Boolean);
        },
        (ready) => ready,
        { timeoutMs: 60_000, intervalMs: 200, what: 'every plugin consuming' },
      );
      await sleep(1_000); // channel config read from KV

      if (PHASES.has('latency')) {
        // ---- 3. latency ------------------------------------------------------------------------
        /** Calls `fire(i)` at `rate`/s for `ms`; returns the send times. */
        async function paced(rate, ms, fire) {
          const total = Math.round((rate * ms) / 1000);
          const interval = 1000 / rate;
          const sent = new Float64Array(total);
          const start = performance.now();
          for (let i = 0; i < total;) {
            const due = start + i * interval;
            const now = performance.now();
            if (now < due) {
              await sleep(Math.max(0, Math.floor(due - now)));
              continue;
            }
            sent[i] = performance.now();
            fire(i);
            i++;
          }
          return sent;
        }

        log(`latency: baseline, core NATS publish → subscribe at ${LATENCY_RATE}/s for ${LATENCY_MS / 1000} s`);
        const subConn = await connect({ servers: natsUrl, name: 'bench-sub' });
        cleanups.push(() => subConn.close());
        const baseLat = [];
        let baseSent;
        const subject = `${basePrefix}.latency`;
        subConn.subscribe(subject, {
          callback: (_err, msg) => {
            const i = Number(new TextDecoder().decode(msg.data).slice(0, 12));
            baseLat.push(performance.now() - baseSent[i]);
          },
        });
        await subConn.flush();
        const padding = ' '.repeat(500);
        baseSent = new Float64Array(Math.round((LATENCY_RATE * LATENCY_MS) / 1000));
        await paced(LATENCY_RATE, LATENCY_MS, (i) => {
          baseSent[i] = performance.now();
          nc.publish(subject, `${String(i).padStart(12, '0')}${padding}`);
        });
        await sleep(500);

        log(
          `latency: Herald, publish → gateway → webhooks plugin → HTTP sink at ${LATENCY_RATE} events/s (${LATENCY_WARMUP_MS / 1000} s warm-up + ${LATENCY_MS / 1000} s)`,
        );
        /**
         * When the gateway published each event's webhooks message, by event id (a core NATS
         * subscription on the deliver subject sees what JetStream receives); `tap` unsubscribes.
         */
        async function tapRouted() {
          const routedAt = new Map();
          const tap = subConn.subscribe(topo.subjects.deliver('webhooks'), {
            callback: (_err, msg) => {
              const id = msg.headers?.get(MESSAGE_HEADERS.eventId);
              if (id && !routedAt.has(id)) routedAt.set(id, performance.now());
            },
          });
          await subConn.flush();
          return { routedAt, tap };
        }
        /** Publishes product_added events at `rate` (warm-up, then `ms` measured); latencies to the sink. */
        async function measureHerald(rate, warmMs, ms, label) {
          let errors = 0;
          const fire = (prefixLabel) => (i) => {
            const id = `${prefixLabel}-${i}`;
            js.publish(topo.subjects.event('product_added'), JSON.stringify(latencyEvent(id, i)), { msgID: id }).catch(() => errors++);
          };
          // Diagnostic split: when the gateway published each event's webhooks message.
          const { routedAt, tap } = await tapRouted();
          // Where the CPU goes: each process's CPU time over the run (warm-up included, until the
          // last webhook arrived), per event.
          const cpu = cpuAccount([
            { label: 'gateway', pids: () => [gateway.pid] },
            { label: 'webhooks_plugin', pids: () => [webhooksPid] },
            { label: 'nats_server', pids: () => pidsOf('nats-server') },
            { label: 'postgres', pids: () => pidsOf('postgres') },
            { label: 'bench_publisher_and_sink', pids: () => [process.pid] },
          ]);
          const warm = await paced(rate, warmMs, fire(`${label}w`));
          const sent = await paced(rate, ms, fire(label));
          await waitUntil(
            () => sink.received.size,
            () => [...Array(sent.length).keys()].every((i) => sink.received.has(`${label}-${i}`)),
            { timeoutMs: 45_000, intervalMs: 200, what: `every ${label} webhook received` },
          ).catch((error) => log(`latency: ${error.message}`));
          if (LATENCY_TRACE) {
            // [ms since the first warm-up publish, latency ms, gateway hop ms] per message, warm-up first
            const trace = (sentAt, prefixLabel) =>
              Array.from(sentAt, (at, i) => {
                const id = `${prefixLabel}-${i}`;
                const received = sink.received.get(id);
                const routed = routedAt.get(id);
                return [
                  round(at - warm[0], 1),
                  received === undefined ? null : round(received - at, 2),
                  routed === undefined ? null : round(routed - at, 2),
                ];
              });
            appendFileSync(LATENCY_TRACE, `${JSON.stringify({ rate, warm: trace(warm, `${label}w`), measured: trace(sent, label) })}\n`);
          }
          const cpuUsed = cpu.stop(warm.length + sent.length);
          log(
            `latency: ${rate}/s CPU ms per event ${JSON.stringify(cpuUsed.cpu_ms_per_event)} over ${cpuUsed.seconds} s; context switches per event ${JSON.stringify(cpuUsed.context_switches_per_event)}; minor page faults per event ${JSON.stringify(cpuUsed.minor_page_faults_per_event)}`,
          );
          tap.unsubscribe();
          const hop = [];
          const lat = [];
          const bySecond = Array.from({ length: Math.ceil(ms / 1000) }, () => []);
          const hopBySecond = Array.from({ length: Math.ceil(ms / 1000) }, () => []);
          for (let i = 0; i < sent.length; i++) {
            const routed = routedAt.get(`${label}-${i}`);
            if (routed !== undefined) {
              hop.push(routed - sent[i]);
              hopBySecond[Math.min(hopBySecond.length - 1, Math.floor(i / rate))].push(routed - sent[i]);
            }
            const at = sink.received.get(`${label}-${i}`);
            if (at === undefined) continue;
            lat.push(at - sent[i]);
            bySecond[Math.min(bySecond.length - 1, Math.floor(i / rate))].push(at - sent[i]);
          }
          // The traffic before the measured run, p50 per 250 ms: the first messages after the
          // processes sat idle (information; the measured run starts after it).
          const warmUpQuarters = Array.from({ length: Math.ceil(warmMs / 250) }, () => []);
          for (let i = 0; i < warm.length; i++) {
            const at = sink.received.get(`${label}w-${i}`);
            if (at !== undefined) warmUpQuarters[Math.min(warmUpQuarters.length - 1, Math.floor((i * 4) / rate))].push(at - warm[i]);
          }
          return {
            rate_per_s: rate,
            seconds: ms / 1000,
            warm_up_seconds: warmMs / 1000,
            warm_up_p50_ms_by_250ms: warmUpQuarters.map((w) => (w.length === 0 ? null : round(percentile(w, 50), 1))),
            sent: sent.length,
            received: lat.length,
            publish_errors: errors,
            p50_ms: round(percentile(lat, 50), 2),
            p90_ms: round(percentile(lat, 90), 2),
            p99_ms: round(percentile(lat, 99), 2),
            max_ms: round(
              lat.reduce((m, v) => Math.max(m, v), 0),
              2,
            ),
            // p50 per second of the run: a growing series means a backlog (Herald slower than the rate)
            p50_ms_by_second: bySecond.map((w) => round(percentile(w, 50), 1)),
            // publish → the gateway published the webhooks message (the rest is the plugin + HTTP)
            gateway_hop_p50_ms: round(percentile(hop, 50), 2),
            gateway_hop_p99_ms: round(percentile(hop, 99), 2),
            gateway_hop_p50_ms_by_second: hopBySecond.map((w) => round(percentile(w, 50), 1)),
            cpu: cpuUsed,
          };
        }
        if (IDLE_PROBE) {
          // Diagnostics (BENCH_IDLE_PROBE): one event after each idle spell, then two more 20 ms
          // apart: [idle s, latency ms, gateway hop ms] per message.
          const { routedAt, tap } = await tapRouted();
          const rows = [];
          let n = 0;
          for (const idleMs of [200, 1_000, 3_000, 6_000, 12_000, 200, 12_000]) {
            await sleep(idleMs);
            for (let k = 0; k < 3; k++) {
              const id = `idle-${n++}`;
              const at = performance.now();
              await js.publish(topo.subjects.event('product_added'), JSON.stringify(latencyEvent(id, 0)), { msgID: id });
              await waitUntil(
                () => sink.received.has(id),
                (got) => got,
                { timeoutMs: 10_000, intervalMs: 1, what: `idle probe ${id}` },
              );
              rows.push([idleMs / 1000, round(sink.received.get(id) - at, 2), round((routedAt.get(id) ?? Number.NaN) - at, 2)]);
              await sleep(20);
            }
          }
          tap.unsubscribe();
          log(`latency: idle probe [idle s, latency ms, gateway hop ms]: ${JSON.stringify(rows)}`);
        }
        const webhooksPid = plugins.find((p) => p.label === 'webhooks').pid;
        const pgBefore = { gateway: pgCounts(gateway.pid), webhooks: pgCounts(webhooksPid) };
        const atRate = await measureHerald(LATENCY_RATE, LATENCY_WARMUP_MS, LATENCY_MS, 'lat');
        if (PG_COUNT_DIR) {
          await sleep(1_000); // the last status reports, and the counter's next write
          const events = Math.round((LATENCY_RATE * (LATENCY_WARMUP_MS + LATENCY_MS)) / 1000);
          atRate.pg_round_trips = {
            events,
            gateway: perEvent(pgBefore.gateway, pgCounts(gateway.pid), events),
            webhooks: perEvent(pgBefore.webhooks, pgCounts(webhooksPid), events),
          };
          log(`latency: PostgreSQL round trips per event: ${JSON.stringify(atRate.pg_round_trips)}`);
        }
        log(
          `latency: reference run below the target rate, ${REFERENCE_RATE} events/s for ${REFERENCE_MS / 1000} s (not a target; shows the unsaturated path)`,
        );
        const reference = await measureHerald(REFERENCE_RATE, 500, REFERENCE_MS, 'ref');
        const p50 = atRate.p50_ms;
        const p99 = atRate.p99_ms;
        const b50 = percentile(baseLat, 50);
        const b99 = percentile(baseLat, 99);
        results.latency = {
          ...atRate,
          baseline_p50_ms: round(b50, 3),
          baseline_p99_ms: round(b99, 3),
          baseline_received: baseLat.length,
          ratio_p50: round(p50 / b50, 1),
          ratio_p99: round(p99 / b99, 1),
          target: `p50 ≤ ${TARGETS.latencyP50Ms} ms, p99 ≤ ${TARGETS.latencyP99Ms} ms over the whole run`,
          met: atRate.received === atRate.sent && p50 <= TARGETS.latencyP50Ms && p99 <= TARGETS.latencyP99Ms,
          // Issue 15, item 2 (no cold start): the first traffic after the warmed-up processes sat
          // idle, judged by the same p50 bound, 250 ms at a time.
          warm_up_target: `p50 ≤ ${TARGETS.latencyP50Ms} ms in every 250 ms of the first ${LATENCY_WARMUP_MS / 1000} s`,
          warm_up_met: atRate.warm_up_p50_ms_by_250ms.every((v) => v !== null && v <= TARGETS.latencyP50Ms),
          reference,
        };
        await checkpoint('after_latency');
        log(
          `latency: p50 ${p50} ms, p99 ${p99} ms (baseline p50 ${b50.toFixed(3)} ms, p99 ${b99.toFixed(3)} ms), ${atRate.received}/${atRate.sent} received; at ${REFERENCE_RATE}/s: p50 ${reference.p50_ms} ms, p99 ${reference.p99_ms} ms`,
        );
      }
      // ---- 4. memory ---------------------------------------------------------------------------
      if (PHASES.has('memory')) {
        log(`memory: ${PLUGIN_EVENTS} scan_added events (${PLUGIN_EVENTS * FANOUT} channel messages) through every plugin`);
        const memStarted = performance.now();
        await publishEvents(js, topo, events('mem', PLUGIN_EVENTS));
        await waitUntil(
          async () => {
            const state = await streamState(jsm, topo.streams.deliver.name);
            const idle = await consumerIdle(jsm, topo);
            return idle && state.messages === 0;
          },
          (done) => done,
          { timeoutMs: 90_000, intervalMs: 100, what: 'the plugins to drain the deliver stream' },
        ).catch((error) => log(`memory: ${error.message}`));
        const memSeconds = (performance.now() - memStarted) / 1000;
        await checkpoint('after_plugin_traffic');
        await sleep(500);
        if (SMAPS_DIR) {
          for (const { label, pid } of [{ label: 'gateway', pid: gateway.pid }, ...plugins]) {
            writeFileSync(join(SMAPS_DIR, `smaps-${label}.txt`), readFileSync(`/proc/${pid}/smaps`, 'utf8'));
          }
        }
        const gwMem = gatewayRss.stop();
        const plMem = pluginRss.stop();

        const idle = startNode('test/bench/idle-node.mjs', {}, { label: 'idle-node', args: [natsUrl] });
        await waitUntil(
          () => idle.output(),
          (out) => out.includes('ready') || idle.child.exitCode !== null,
          { timeoutMs: 10_000, what: 'idle node' },
        );
        await sleep(1_000);
        const baselineRss = rssBytes(idle.pid);
        await stopChild(idle);

        results.memory = {
          baseline_idle_node_with_nats_mb: round(baselineRss / MB, 1),
          gateway: {
            peak_mb: round(gwMem.gateway.peak / MB, 1),
            final_mb: round(gwMem.gateway.last / MB, 1),
            target_mb: TARGETS.gatewayMb,
            ratio_to_target: round(gwMem.gateway.peak / MB / TARGETS.gatewayMb, 2),
            ratio_to_baseline: round(gwMem.gateway.peak / baselineRss, 1),
            met: gwMem.gateway.peak / MB <= TARGETS.gatewayMb,
          },
          plugins: Object.fromEntries(
            PLUGINS.map((c) => [
              c,
              {
                peak_mb: round(plMem[c].peak / MB, 1),
                final_mb: round(plMem[c].last / MB, 1),
                target_mb: TARGETS.pluginMb,
                ratio_to_target: round(plMem[c].peak / MB / TARGETS.pluginMb, 2),
                ratio_to_baseline: round(plMem[c].peak / baselineRss, 1),
                met: plMem[c].peak / MB <= TARGETS.pluginMb,
              },
            ]),
          ),
          plugin_drain_seconds: round(memSeconds, 1),
          sink_hits: { ...sink.hits },
          met: gwMem.gateway.peak / MB <= TARGETS.gatewayMb && PLUGINS.every((c) => plMem[c].peak / MB <= TARGETS.pluginMb),
        };
        log(
          `memory: gateway peak ${(gwMem.gateway.peak / MB).toFixed(0)} MB; plugins ${PLUGINS.map((c) => `${c} ${(plMem[c].peak / MB).toFixed(0)}`).join(', ')} MB`,
        );
      }
      if (PHASES.has('sustained')) {
        // ---- 6. sustained rate: Herald (gateway + webhooks plugin) vs a minimal pipeline -------
        for (const p of plugins) if (p.label !== 'webhooks') await stopChild(p); // only the two processes under test
        log(
          `sustained: Herald (gateway + webhooks plugin → sink), steps of 100/s, ${SUSTAINED_STEP_MS / 1000} s each (last ${SUSTAINED_MEASURED_MS / 1000} s measured), p99 ≤ ${SUSTAINED_P99_MS} ms, no backlog`,
        );
        let probe = 0;
        const herald = await searchSustained(
          400,
          (rate) =>
            sustainedStep({
              rate,
              label: `sh${probe++}`,
              sink,
              publish: (id, i) => js.publish(topo.subjects.event('product_added'), JSON.stringify(latencyEvent(id, i)), { msgID: id }),
            }),
          'Herald',
        );
        for (const p of plugins) await stopChild(p);
        // the minimal pipeline: forwarder (fan-out 1) → WorkQueue → poster → sink, own processes, own prefix
        const susPrefix = uniquePrefix('benchsus');
        const susTopo = topology({ prefix: susPrefix });
        cleanups.push(() => deleteTopology(nc, susTopo));
        await ensureStreams(jsm, susTopo);
        await ensureConsumer(jsm, susTopo.gatewayConsumer);
        await ensureConsumer(jsm, susTopo.channelConsumer('webhooks'));
        const forwarder = startNode(
          'test/bench/forwarder.mjs',
          {},
          { label: 'forwarder-1', args: [natsUrl, susPrefix, '1', '32', 'webhooks'] },
        );
        const poster = startNode(
          'test/bench/poster.mjs',
          {},
          {
            label: 'poster',
            args: [natsUrl, susPrefix, 'webhooks', `http://127.0.0.1:${sink.port}/webhook`, '16'],
          },
        );
        for (const child of [forwarder, poster])
          await waitUntil(
            () => child.output(),
            (out) => out.includes('ready') || child.child.exitCode !== null,
            { timeoutMs: 20_000, what: `${child.label} ready` },
          );
        for (const child of [forwarder, poster])
          if (child.child.exitCode !== null) throw new Error(`${child.label} exited:\n${child.output()}`);
        log('sustained: baseline (trivial forwarder, fan-out 1 → trivial poster with keep-alive → sink), same steps');
        const baseline = await searchSustained(
          Math.max(800, herald.rate * 2),
          (rate) =>
            sustainedStep({
              rate,
              label: `sb${probe++}`,
              sink,
              publish: (id, i) => js.publish(susTopo.subjects.event('product_added'), JSON.stringify(latencyEvent(id, i)), { msgID: id }),
            }),
          'baseline',
        );
        await stopChild(forwarder);
        await stopChild(poster);
        // no ratio when even the baseline passed no step (a machine too loaded to measure on)
        const ratio = baseline.rate > 0 ? herald.rate / baseline.rate : Number.NaN;
        results.sustained = {
          herald_rate: herald.rate,
          baseline_rate: baseline.rate,
          ratio: round(ratio, 3),
          herald_capped: herald.capped,
          baseline_capped: baseline.capped,
          step_seconds: SUSTAINED_STEP_MS / 1000,
          measured_seconds: SUSTAINED_MEASURED_MS / 1000,
          p99_bound_ms: SUSTAINED_P99_MS,
          herald_steps: herald.steps,
          baseline_steps: baseline.steps,
          target: `≥ ${TARGETS.sustainedRatio} of the baseline's rate`,
          met: Number.isFinite(ratio) && ratio >= TARGETS.sustainedRatio,
        };
        log(`sustained: Herald ${herald.rate}/s, baseline ${baseline.rate}/s → ${(ratio * 100).toFixed(1)} %`);
      }
      for (const p of plugins) await stopChild(p);
    }
    if (PHASES.has('broadcast100k')) {
      // ---- 7. broadcast to 100 000 users -------------------------------------------------------
      const extra = BIG_BROADCAST_USERS - USERS;
      log(`broadcast 100k: ${extra} more users in the broadcast scope (bulk SQL), snapshot reloaded`);
      const big = new pg.Client({ connectionString: databaseUrl });
      await big.connect();
      await big.query('begin');
      await big.query(
        `insert into gateway.users (id, username, email, full_name)
         select g::text, 'user' || g, 'user' || g || '@bench.example', 'Bench User ' || g from generate_series($1::int, $2::int) g`,
        [USERS + 1, BIG_BROADCAST_USERS],
      );
      await big.query(
        `insert into gateway.product_type_members (scope_id, user_id, role) select $3, g::text, 'Reader' from generate_series($1::int, $2::int) g`,
        [USERS + 1, BIG_BROADCAST_USERS, ALL_ID],
      );
      await big.query(
        `insert into gateway.personal_settings (user_id, events) select g::text, $3::jsonb from generate_series($1::int, $2::int) g`,
        [USERS + 1, BIG_BROADCAST_USERS, JSON.stringify(personal)],
      );
      await big.query('commit');
      await big.end();
      const bigRss = sampleRss([{ label: 'gateway', pid: gateway.pid }], 100);
      // the same system row again: invalidates the snapshot everywhere; the next event reloads it
      await call('PUT', '/settings/system', {
        events: { ...emptyPersonal, scan_added: ['slack', 'msteams'], product_added: ['webhooks'] },
      });
      await jsm.streams.purge(topo.streams.deliver.name);
      const loadStarted = performance.now();
      await drive(jsm, js, topo, [scanEvent('check-100k', 0)], FANOUT);
      const loadMs = performance.now() - loadStarted;
      await checkpoint('directory_100k_loaded');
      const event = {
        specversion: '1.0',
        id: 'bc100k',
        source: 'bench',
        type: 'engagement_added',
        data: {
          title: 'Broadcast 100k',
          description: DESCRIPTION,
          product: { id: ALL_ID, name: 'Everyone', product_type_id: ALL_ID },
          engagement: { id: 'e100k', name: 'Engagement 100k', product_id: ALL_ID },
        },
      };
      log(`broadcast 100k: 1 event → ${BIG_BROADCAST_USERS} alerts (snapshot loaded in ${loadMs.toFixed(0)} ms)`);
      const before = await streamState(jsm, topo.streams.deliver.name);
      const started = performance.now();
      await js.publish(topo.subjects.event(event.type), JSON.stringify(event), { msgID: event.id });
      let stored = 0;
      await waitUntil(
        async () => {
          if (stored === 0) {
            const state = await streamState(jsm, topo.streams.deliver.name);
            if (state.messages >= before.messages + BIG_BROADCAST_USERS) stored = performance.now();
            return false;
          }
          return consumerIdle(jsm, topo);
        },
        (idle) => idle === true,
        { timeoutMs: 300_000, intervalMs: 5, what: '100k broadcast stored and acked' },
      );
      const acked = performance.now();
      const after = await streamState(jsm, topo.streams.deliver.name);
      await checkpoint('after_broadcast_100k');
      const gwBig = bigRss.stop();
      if (after.messages - before.messages !== BIG_BROADCAST_USERS)
        throw new Error(`broadcast 100k: expected ${BIG_BROADCAST_USERS} messages, got ${after.messages - before.messages}`);
      await jsm.streams.purge(topo.streams.deliver.name);
      await ensureStreams(jsm, baseTopo);
      await jsm.streams.purge(baseTopo.streams.deliver.name);
      const { result: published } = await runChildJson(
        'test/bench/publisher.mjs',
        [natsUrl, basePrefix, String(BIG_BROADCAST_USERS), '1', String(PUBLISH_WINDOW)],
        {
          label: 'publisher-100k',
          timeoutMs: 300_000,
        },
      );
      const blInfo = await streamState(jsm, baseTopo.streams.deliver.name);
      if (blInfo.messages !== BIG_BROADCAST_USERS) throw new Error(`broadcast 100k baseline: ${blInfo.messages} messages stored`);
      await jsm.streams.purge(baseTopo.streams.deliver.name);
      const gwMs = stored - started;
      const blMs = published.runs_ms[0];
      const peakMb = gwBig.gateway.peak / MB;
      results.broadcast_100k = {
        recipients: BIG_BROADCAST_USERS,
        gateway_ms: round(gwMs, 0),
        gateway_acked_ms: round(acked - started, 0),
        snapshot_load_ms: round(loadMs, 0),
        baseline_ms: round(blMs, 0),
        ratio: round(gwMs / blMs, 2),
        gateway_peak_mb: round(peakMb, 1),
        target: `≤ ${TARGETS.bigBroadcastRatio}× the baseline, gateway RSS ≤ ${TARGETS.bigBroadcastRssMb} MB (from the snapshot reload to the ack)`,
        ratio_met: gwMs / blMs <= TARGETS.bigBroadcastRatio,
        rss_met: peakMb <= TARGETS.bigBroadcastRssMb,
        met: gwMs / blMs <= TARGETS.bigBroadcastRatio && peakMb <= TARGETS.bigBroadcastRssMb,
      };
      log(
        `broadcast 100k: gateway ${gwMs.toFixed(0)} ms to store (${(acked - started).toFixed(0)} ms to ack), baseline ${blMs.toFixed(0)} ms → ${(gwMs / blMs).toFixed(2)}×; gateway peak RSS ${peakMb.toFixed(0)} MB`,
      );
    }
    await stopChild(gateway);
    if (PHASES.has('allinone')) {
      // ---- 8. npm start (all-in-one, embedded PGlite), idle ------------------------------------
      const aioDir = mkdtempSync(join(tmpdir(), 'herald-bench-aio-'));
      cleanups.push(() => rmSync(aioDir, { recursive: true, force: true }));
      const aioPrefix = uniquePrefix('benchaio');
      cleanups.push(() => deleteTopology(nc, topology({ prefix: aioPrefix })));
      const aioPort = await freePort();
      log(`all-in-one: node cli/start.mjs (npm start) on embedded PGlite in ${aioDir}, prefix ${aioPrefix}`);
      const aioStarted = performance.now();
      const aio = startNode(
        'cli/start.mjs',
        {
          NATS_URL: natsUrl,
          HERALD_SUBJECT_PREFIX: aioPrefix,
          HERALD_DATA_DIR: aioDir,
          HERALD_HTTP_PORT: String(aioPort),
          HERALD_LOG_LEVEL: 'warn',
          NODE_OPTIONS: HERALD_NODE_OPTIONS,
        },
        { label: 'all-in-one' },
      );
      const aioRssStart = sampleRss(
        [
          { label: 'aio', pid: aio.pid },
          // the processes it starts: initdb in a child on a new data directory (openSqlPool)
          { label: 'children', pids: () => childPids(aio.pid) },
        ],
        100,
      );
      await waitUntil(
        async () => {
          if (aio.child.exitCode !== null) throw new Error(`all-in-one exited:\n${aio.output()}`);
          return fetch(`http://127.0.0.1:${aioPort}/health/ready`).then(
            (r) => r.status,
            () => 0,
          );
        },
        (status) => status === 200,
        { timeoutMs: 120_000, intervalMs: 200, what: 'all-in-one /health/ready' },
      );
      const readyMs = performance.now() - aioStarted;
      const startPeak = aioRssStart.stop();
      const idleRss = sampleRss([{ label: 'aio', pid: aio.pid }], 200);
      await sleep(ALL_IN_ONE_IDLE_MS);
      const idle = idleRss.stop();
      if (SMAPS_DIR) writeFileSync(join(SMAPS_DIR, 'smaps-all-in-one.txt'), readFileSync(`/proc/${aio.pid}/smaps`, 'utf8'));
      await stopChild(aio);
      const idleMb = idle.aio.peak / MB;
      results.memory = {
        ...(results.memory ?? {}),
        all_in_one_idle_mb: round(idleMb, 1),
        all_in_one: {
          idle_peak_mb: round(idleMb, 1),
          idle_last_mb: round(idle.aio.last / MB, 1),
          start_peak_mb: round(startPeak.aio.peak / MB, 1),
          start_children_peak_mb: round(startPeak.children.peak / MB, 1),
          ready_ms: round(readyMs, 0),
          idle_seconds: ALL_IN_ONE_IDLE_MS / 1000,
          target_mb: TARGETS.allInOneMb,
          met: idleMb <= TARGETS.allInOneMb,
        },
      };
      log(
        `all-in-one: ready in ${readyMs.toFixed(0)} ms; idle RSS ${idleMb.toFixed(0)} MB (peak while starting ${(startPeak.aio.peak / MB).toFixed(0)} MB, its initdb child ${(startPeak.children.peak / MB).toFixed(0)} MB)`,
      );
    }
  } catch (error) {
    failed = error;
    log(`FAILED: ${error.stack ?? error}`);
  } finally {
    await runCleanups();
    if (PG_COUNT_DIR) rmSync(PG_COUNT_DIR, { recursive: true, force: true });
  }
  results.finished_at = new Date().toISOString();
  results.seconds = round((Date.now() - t0) / 1000, 1);
  if (failed) results.error = String(failed.message ?? failed);
  results.targets = {
    throughput: results.throughput?.met ?? null,
    broadcast: results.broadcast?.met ?? null,
    latency: results.latency?.met ?? null,
    latency_cold_start: results.latency?.warm_up_met ?? null,
    memory: results.memory?.met ?? null,
    all_in_one_idle: results.memory?.all_in_one?.met ?? null,
    sustained: results.sustained?.met ?? null,
    broadcast_100k: results.broadcast_100k?.met ?? null,
    routing_directory_flat: results.routing?.directory_met ?? null,
    routing_candidates_linear: results.routing?.candidates_met ?? null,
  };
  printTable(results);
  const json = JSON.stringify(results);
  let pretty = `${JSON.stringify(results, null, 2)}\n`;
  try {
    // formatted like the rest of the repository, so `npm run format:check` stays green
    const prettier = await import('prettier');
    const file = resolve(REPO_ROOT, 'test/bench/results.json');
    pretty = await prettier.format(pretty, { ...(await prettier.resolveConfig(file)), filepath: file });
  } catch {
    /* prettier is a devDependency; without it the plain JSON is written */
  }
  writeFileSync(resolve(REPO_ROOT, 'test/bench/results.json'), pretty);
  process.stdout.write(`\nJSON (also in test/bench/results.json):\n${json}\n`);
  process.exit(failed ? 1 : 0);
}

function printTable(r) {
  const rows = [['figure', 'Herald', 'baseline', 'ratio', 'target', 'result']];
  const status = (met) => (met === true ? 'met' : met === false ? 'MISSED' : 'n/a');
  if (r.throughput) {
    const t = r.throughput;
    rows.push([
      `1. throughput (fan-out ${t.fanout}, ${t.events} events)`,
      `${t.gateway_events_per_s} ev/s (${t.gateway_messages_per_s} msg/s)`,
      `${t.baseline_events_per_s} ev/s forwarder`,
      `${(t.ratio * 100).toFixed(1)} %`,
      `≥ ${TARGETS.throughputRatio * 100} %`,
      status(t.met),
    ]);
  }
  if (r.broadcast) {
    const b = r.broadcast;
    rows.push([
      `2. broadcast to ${b.recipients} users (median of ${b.runs})`,
      `${b.gateway_ms} ms stored (${b.gateway_acked_ms} ms acked)`,
      `${b.baseline_ms} ms pipelined`,
      `${b.ratio}×`,
      `≤ ${TARGETS.broadcastRatio}×`,
      status(b.met),
    ]);
  }
  if (r.latency) {
    const l = r.latency;
    rows.push([
      `3. latency p50 @${l.rate_per_s}/s (${l.received}/${l.sent})`,
      `${l.p50_ms} ms`,
      `${l.baseline_p50_ms} ms NATS pub→sub`,
      `${l.ratio_p50}×`,
      `≤ ${TARGETS.latencyP50Ms} ms`,
      status(l.received === l.sent && l.p50_ms <= TARGETS.latencyP50Ms),
    ]);
    rows.push([
      `3. latency p99`,
      `${l.p99_ms} ms`,
      `${l.baseline_p99_ms} ms NATS pub→sub`,
      `${l.ratio_p99}×`,
      `≤ ${TARGETS.latencyP99Ms} ms`,
      status(l.received === l.sent && l.p99_ms <= TARGETS.latencyP99Ms),
    ]);
    const bySecond = l.p50_ms_by_second;
    const [firstSecond, lastSecond] = [bySecond[0], bySecond.at(-1)];
    rows.push([
      '3. latency p50 by second',
      `${bySecond.map((v) => (v === null ? '–' : v)).join(', ')} ms`,
      '',
      firstSecond && lastSecond ? `last/first ${round(lastSecond / firstSecond, 2)}` : 'seconds missing (– = nothing received)',
      `each ≤ ${TARGETS.latencyP50Ms} ms (flat)`,
      status(l.p50_ms_by_second.every((v) => v !== null && v <= TARGETS.latencyP50Ms)),
    ]);
    if (l.warm_up_p50_ms_by_250ms)
      rows.push([
        `3. cold start: the first ${l.warm_up_seconds} s, p50 per 250 ms`,
        `${l.warm_up_p50_ms_by_250ms.map((v) => (v === null ? '–' : v)).join(', ')} ms`,
        '',
        '',
        `each ≤ ${TARGETS.latencyP50Ms} ms (no cold start)`,
        status(l.warm_up_met),
      ]);
    const ref = l.reference;
    if (ref)
      rows.push([`3. (info) latency @${ref.rate_per_s}/s p50 / p99`, `${ref.p50_ms} / ${ref.p99_ms} ms`, '', '', 'not a target', 'info']);
  }
  if (r.memory?.gateway) {
    const m = r.memory;
    const base = `${m.baseline_idle_node_with_nats_mb} MB idle node`;
    rows.push([
      '4. memory gateway (peak RSS)',
      `${m.gateway.peak_mb} MB`,
      base,
      `${m.gateway.ratio_to_baseline}× (${(m.gateway.ratio_to_target * 100).toFixed(0)} % of target)`,
      `≤ ${TARGETS.gatewayMb} MB`,
      status(m.gateway.met),
    ]);
    for (const [channel, p] of Object.entries(m.plugins)) {
      rows.push([
        `4. memory plugin ${channel} (peak RSS)`,
        `${p.peak_mb} MB`,
        base,
        `${p.ratio_to_baseline}× (${(p.ratio_to_target * 100).toFixed(0)} % of target)`,
        `≤ ${TARGETS.pluginMb} MB`,
        status(p.met),
      ]);
    }
  }
  if (r.memory?.all_in_one) {
    const a = r.memory.all_in_one;
    rows.push([
      '4. memory all-in-one (npm start, PGlite) idle',
      `${a.idle_peak_mb} MB`,
      r.memory.baseline_idle_node_with_nats_mb ? `${r.memory.baseline_idle_node_with_nats_mb} MB idle node` : '',
      `${Math.round((a.idle_peak_mb / a.target_mb) * 100)} % of target`,
      `≤ ${TARGETS.allInOneMb} MB`,
      status(a.met),
    ]);
  }
  if (r.sustained) {
    const s = r.sustained;
    rows.push([
      `6. sustained rate (p99 ≤ ${s.p99_bound_ms} ms, no backlog)`,
      `${s.herald_rate} ev/s${s.herald_capped ? ' (cap)' : ''}`,
      `${s.baseline_rate} ev/s minimal pipeline${s.baseline_capped ? ' (cap)' : ''}`,
      s.ratio === null ? 'n/a (baseline 0)' : `${(s.ratio * 100).toFixed(1)} %`,
      `≥ ${TARGETS.sustainedRatio * 100} %`,
      status(s.met),
    ]);
  }
  if (r.broadcast_100k) {
    const b = r.broadcast_100k;
    rows.push([
      `7. broadcast to ${b.recipients} users`,
      `${b.gateway_ms} ms stored (${b.gateway_acked_ms} ms acked)`,
      `${b.baseline_ms} ms pipelined`,
      `${b.ratio}×`,
      `≤ ${TARGETS.bigBroadcastRatio}×`,
      status(b.ratio_met),
    ]);
    rows.push([
      '7. broadcast 100k: gateway peak RSS',
      `${b.gateway_peak_mb} MB`,
      '',
      '',
      `≤ ${TARGETS.bigBroadcastRssMb} MB`,
      status(b.rss_met),
    ]);
  }
  if (r.routing) {
    const g = r.routing;
    const d = g.directory_sweep;
    rows.push([
      '5. routing, 100 candidates, 1k/10k/100k users',
      d.map((x) => `${x.us_per_route}`).join(' / ') + ' µs',
      `${d[0].us_per_route} µs @1k users`,
      `${g.directory_ratio_100k_vs_1k}× (median of ${(g.processes ?? []).map((p) => p.directory_ratio_100k_vs_1k).join(' / ')})`,
      `≤ ${TARGETS.routingFlat}× (flat)`,
      status(g.directory_met),
    ]);
    const c = g.candidate_sweep;
    rows.push([
      '5. routing, 100/1k/10k candidates, 100k users',
      c.map((x) => `${x.us_per_route}`).join(' / ') + ' µs',
      `${c[0].us_per_candidate} µs/candidate @100`,
      `exp ${g.growth_exponent_100_to_10000} (median of ${(g.processes ?? []).map((p) => p.growth_exponent_100_to_10000).join(' / ')})`,
      `exponent ≤ ${TARGETS.routingExponent}`,
      status(g.candidates_met),
    ]);
    if (g.materialised) {
      const w = g.materialised.candidate_sweep;
      rows.push([
        '   route() whole result (information)',
        w.map((x) => `${x.us_per_route}`).join(' / ') + ' µs',
        `${w[w.length - 1].minor_page_faults_per_call} page faults/call @10k`,
        `exp ${g.materialised.growth_exponent_100_to_10000} (median of ${(g.processes ?? []).map((p) => p.materialised_growth_exponent_100_to_10000).join(' / ')})`,
        '—',
        '—',
      ]);
    }
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  const line = (row) => row.map((cell, col) => String(cell).padEnd(widths[col])).join(' | ');
  process.stdout.write(`\nHerald benchmarks (SPEC §11) — ${r.machine.cpus} CPUs, Node ${r.machine.node}, ${r.seconds} s\n`);
  process.stdout.write(`${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const row of rows.slice(1)) process.stdout.write(`${line(row)}\n`);
  if (r.error) process.stdout.write(`\nRUN FAILED: ${r.error}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping children and removing this run's streams, database and temp dir`);
    void runCleanups().then(() => process.exit(130));
  });
}

await main();
