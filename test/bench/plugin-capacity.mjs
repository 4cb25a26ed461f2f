/**
 * Per-replica capacity of each channel plugin (sizing for "Running at scale"): one replica of a
 * plugin (`node plugins/<channel>/dist/main.js`, default concurrency 16) drains a burst of channel
 * messages published straight onto its deliver subject, sending to local receivers that answer at
 * once (an HTTP sink for Slack, Teams and webhooks, an SMTP sink for mail; alert writes to
 * PostgreSQL). Reported: messages/s from the first publish until the last `delivered` status, and
 * the plugin's peak RSS. The receivers answer in microseconds, so these figures are the plugin's
 * own ceiling on this machine; real providers add their latency (at concurrency 16, a provider
 * answering in 100 ms caps a replica near 160 messages/s).
 *
 *   npm run build && node test/bench/plugin-capacity.mjs
 *
 * Uses the local NATS and PostgreSQL (NATS_URL / DATABASE_URL's server, 127.0.0.1 only) with its
 * own subject prefix `cap_<hex>` and database `herald_p_<hex>`, and a gateway process for the
 * channel settings and API authentication; removes everything at the end. Knob:
 * CAPACITY_MESSAGES (per channel, default 2000). Prints one line per channel and a JSON line.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { topology } from '@herald/contracts';
import { channelMessage, deleteTopology, resolveDatabaseUrl, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import {
  GATEWAY_NODE_ARGS,
  MB,
  freePort,
  heraldNodeOptions,
  round,
  sampleRss,
  startNode,
  stopAllChildren,
  stopChild,
  waitUntil,
  pluginNodeArgs,
} from './lib.mjs';
import { registerBuiltinChannels } from './builtin-registrations.mjs';

const MESSAGES = Number(process.env.CAPACITY_MESSAGES ?? 2_000);
const WARM_UP = 100;
const ALL_CHANNELS = ['alert', 'mail', 'slack', 'msteams', 'webhooks'];
/** For diagnosis: CAPACITY_CHANNELS=mail,webhooks (default: all). */
const CHANNELS = (process.env.CAPACITY_CHANNELS ?? ALL_CHANNELS.join(',')).split(',').map((c) => c.trim());
for (const channel of CHANNELS) {
  if (!ALL_CHANNELS.includes(channel))
    throw new Error(`CAPACITY_CHANNELS: unknown channel "${channel}" (known: ${ALL_CHANNELS.join(', ')})`);
}
/** For diagnosis: NODE_OPTIONS of each plugin process (e.g. "--heapsnapshot-signal=SIGUSR2"). */
const PLUGIN_NODE_OPTIONS = process.env.CAPACITY_PLUGIN_NODE_OPTIONS;
/** For diagnosis: Node flags put before each plugin's script (V8 flags that NODE_OPTIONS refuses). */
const PLUGIN_NODE_ARGS = (process.env.CAPACITY_PLUGIN_NODE_ARGS ?? '').split(' ').filter(Boolean);

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

async function startHttpSink() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      if (url.startsWith('/slack/')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: true, channel: 'C0CAP', ts: '1700000000.000100', user: { id: 'U0CAP' } }));
      } else if (url.startsWith('/teams')) res.writeHead(200, { 'content-type': 'text/plain' }).end('1');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: server.address().port };
}

async function startSmtpSink() {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  const port = await freePort();
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return { server, port };
}

function destinationFor(channel, i) {
  if (channel === 'alert' || channel === 'mail') {
    const id = String((i % 100) + 1);
    return { scope: 'personal', user: { id, username: `user${id}`, email: `user${id}@cap.example`, full_name: `User ${id}` } };
  }
  return { scope: 'system' };
}

async function main() {
  const results = { bench: 'plugin-capacity', started_at: new Date().toISOString(), messages_per_channel: MESSAGES, channels: {} };
  let failed = false;
  try {
    const natsUrl = await resolveNatsUrl();
    const dbServer = await resolveDatabaseUrl();
    only127(natsUrl, 'NATS');
    only127(dbServer, 'PostgreSQL');
    const nc = await connect({ servers: natsUrl, name: 'plugin-capacity-bench' });
    cleanups.push(() => nc.close());
    const js = jetstream(nc);
    const prefix = uniquePrefix('cap');
    const topo = topology({ prefix });
    cleanups.push(() => deleteTopology(nc, topo));
    const dbName = `herald_p_${randomBytes(6).toString('hex')}`;
    await adminQuery(dbServer, `create database ${dbName}`);
    cleanups.push(() => adminQuery(dbServer, `drop database if exists ${dbName} with (force)`));
    const databaseUrl = withDatabase(dbServer, dbName);
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-capacity-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const http = await startHttpSink();
    cleanups.push(() => new Promise((done) => http.server.close(() => done())));
    const smtp = await startSmtpSink();
    cleanups.push(() => new Promise((done) => smtp.server.close(() => done())));

    const secretKey = randomBytes(32).toString('base64');
    const adminToken = `cap-${randomBytes(16).toString('hex')}`;
    const commonEnv = {
      NATS_URL: natsUrl,
      HERALD_SUBJECT_PREFIX: prefix,
      HERALD_SECRET_KEY: secretKey,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_DATA_DIR: dataDir,
      HERALD_SITE_URL: 'http://localhost:8080',
    };
    const ready = (label, handle, url) =>
      waitUntil(
        async () => {
          if (handle.child.exitCode !== null) throw new Error(`${label} exited:\n${handle.output()}`);
          return fetch(`${url}/health/ready`).then(
            (r) => r.status,
            () => 0,
          );
        },
        (status) => status === 200,
        { timeoutMs: 60_000, intervalMs: 200, what: `${label} /health/ready` },
      );
    const gatewayPort = await freePort();
    const gateway = startNode(
      'gateway/dist/main.js',
      {
        ...commonEnv,
        DATABASE_URL: databaseUrl,
        HERALD_HTTP_PORT: String(gatewayPort),
        HERALD_ADMIN_TOKEN: adminToken,
        NODE_OPTIONS: heraldNodeOptions(),
      },
      { label: 'gateway', nodeArgs: GATEWAY_NODE_ARGS },
    );
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    await ready('gateway', gateway, gatewayUrl);
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
    const registrations = await registerBuiltinChannels(nc, prefix);
    await api(gatewayUrl, 'PUT', '/channels/mail/config', { enabled: true, settings: { from: 'herald@cap.example' } });
    await api(gatewayUrl, 'PUT', '/channels/slack/config', { enabled: true, settings: { token: 'xoxb-cap', channel: '#cap' } });
    await api(gatewayUrl, 'PUT', '/channels/msteams/config', { enabled: true, settings: { url: `http://127.0.0.1:${http.port}/teams` } });
    await api(gatewayUrl, 'PUT', '/channels/webhooks/config', { enabled: true, settings: { timeout_seconds: 5 } });
    await registrations.stop();

    // Final statuses by delivery id, from a core subscription on every status subject.
    const delivered = new Map(); // delivery id → performance.now()
    const other = new Map(); // delivery id → outcome
    nc.subscribe(topo.subjects.allStatus, {
      callback: (_err, msg) => {
        const report = JSON.parse(new TextDecoder().decode(msg.data));
        // one status, or a batch of them (`{ "statuses": [...] }`)
        for (const status of Array.isArray(report.statuses) ? report.statuses : [report]) {
          if (status.outcome === 'delivered') delivered.set(status.delivery_id, performance.now());
          else if (status.outcome !== 'retrying') other.set(status.delivery_id, `${status.outcome}: ${status.detail ?? ''}`);
        }
      },
    });
    await nc.flush();

    for (const channel of CHANNELS) {
      const port = await freePort();
      const plugin = startNode(
        `plugins/${channel}/dist/main.js`,
        {
          ...commonEnv,
          HERALD_PLUGIN_HTTP_PORT: String(port),
          ...(channel === 'alert' || channel === 'webhooks' ? { DATABASE_URL: databaseUrl } : {}),
          ...(channel === 'webhooks' ? { HERALD_WEBHOOKS_ALLOW_PRIVATE: '127.0.0.0/8' } : {}),
          ...(channel === 'mail' ? { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } : {}),
          ...(channel === 'slack' ? { SLACK_API_URL: `http://127.0.0.1:${http.port}/slack/api/` } : {}),
          NODE_OPTIONS: heraldNodeOptions(PLUGIN_NODE_OPTIONS),
        },
        { label: channel, nodeArgs: [...pluginNodeArgs(channel), ...PLUGIN_NODE_ARGS] },
      );
      await ready(channel, plugin, `http://127.0.0.1:${port}`);
      if (channel === 'webhooks') {
        await api(`http://127.0.0.1:${port}`, 'POST', '/webhooks', {
          name: 'cap-sink',
          url: `http://127.0.0.1:${http.port}/hook`,
          skip_ping: true,
        });
      }
      const rss = sampleRss([{ label: channel, pid: plugin.pid }], 100);
      const burst = async (label, count) => {
        const messages = Array.from({ length: count }, (_, i) =>
          channelMessage(channel, 'scan_added', destinationFor(channel, i), { eventId: `${channel}-${label}-${i}` }),
        );
        const started = performance.now();
        await Promise.all(messages.map((m) => js.publish(topo.subjects.deliver(channel), JSON.stringify(m), { msgID: m.delivery_id })));
        await waitUntil(
          () => messages.filter((m) => delivered.has(m.delivery_id) || other.has(m.delivery_id)).length,
          (done) => done === count,
          { timeoutMs: 180_000, intervalMs: 50, what: `${count} ${channel} statuses` },
        );
        const notDelivered = messages.filter((m) => !delivered.has(m.delivery_id));
        if (notDelivered.length > 0)
          throw new Error(`${channel}: ${notDelivered.length} not delivered, e.g. ${other.get(notDelivered[0].delivery_id)}`);
        const last = Math.max(...messages.map((m) => delivered.get(m.delivery_id)));
        return (last - started) / 1000;
      };
      await burst('warm', WARM_UP);
      const seconds = await burst('run', MESSAGES);
      const memory = rss.stop()[channel];
      await stopChild(plugin);
      const figures = {
        messages: MESSAGES,
        seconds: round(seconds, 2),
        messages_per_s: Math.round(MESSAGES / seconds),
        peak_rss_mb: round(memory.peak / MB, 0),
      };
      results.channels[channel] = figures;
      log(
        `${channel}: ${figures.messages} messages in ${figures.seconds} s = ${figures.messages_per_s} messages/s per replica (peak RSS ${figures.peak_rss_mb} MB)`,
      );
    }
  } catch (error) {
    failed = true;
    results.error = error.message;
    log(`failed: ${error.stack ?? error.message}`);
  } finally {
    await runCleanups();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exitCode = failed ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void runCleanups().finally(() => process.exit(130));
  });
}

await main();
