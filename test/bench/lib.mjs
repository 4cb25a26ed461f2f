/**
 * Shared helpers of the benchmarks (test/bench): statistics, child processes, RSS sampling, free
 * ports, waiting. Plain ESM over Node built-ins; no test framework.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * The Node options every Herald process runs with when deployed: the `ENV NODE_OPTIONS=…` line of
 * the Dockerfile (the image the gateway and every plugin run from). The bench starts Herald's
 * processes with them, so it measures what is deployed.
 */
export const HERALD_NODE_OPTIONS = (() => {
  const match = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(resolve(REPO_ROOT, 'Dockerfile'), 'utf8'));
  if (match === null) throw new Error('Dockerfile: no ENV NODE_OPTIONS="…" line (the Node options of every Herald process)');
  return match[1];
})();

/**
 * Node flags of the gateway's command: those of the Dockerfile's `CMD ["node", …flags,
 * "gateway/dist/main.js"]` (the image's default command; docker-compose and the Kubernetes
 * manifests use the same), given on the command line after NODE_OPTIONS, so they override it.
 */
export const GATEWAY_NODE_ARGS = (() => {
  const match = /^CMD (\[.*\])$/m.exec(readFileSync(resolve(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const command = match === null ? [] : JSON.parse(match[1]);
  if (command[0] !== 'node' || command.at(-1) !== 'gateway/dist/main.js') {
    throw new Error('Dockerfile: no CMD ["node", …, "gateway/dist/main.js"] line (the gateway\'s command)');
  }
  return command.slice(1, -1);
})();

/**
 * Node flags of a plugin's command: those of its docker-compose service, `command: ['node',
 * …flags, 'plugins/start-plugin.mjs', '<channel>']` (the Kubernetes manifests use the same), given
 * on the command line after NODE_OPTIONS, like the gateway's.
 */
export function pluginNodeArgs(channel) {
  const compose = readFileSync(resolve(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const line = new RegExp(`^\\s*command: (\\['node',.*'plugins/start-plugin\\.mjs', '${channel}'\\])$`, 'm').exec(compose);
  if (line === null)
    throw new Error(
      `docker-compose.yml: no command ['node', …, 'plugins/start-plugin.mjs', '${channel}'] (the ${channel} plugin's command)`,
    );
  const command = JSON.parse(line[1].replaceAll("'", '"'));
  return command.slice(1, -2);
}

/** NODE_OPTIONS of a Herald process: the deployed options, then diagnostics (`extra`) if any. */
export const heraldNodeOptions = (...extra) => [HERALD_NODE_OPTIONS, ...extra].filter(Boolean).join(' ');

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Percentile (0..100) of a numeric array, nearest-rank on a sorted copy. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => percentile(values, 50);

export const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** A TCP port nobody listens on right now (127.0.0.1). */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Polls `read` until `done(value)` holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(read, done, { timeoutMs = 30_000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`);
    await sleep(intervalMs);
  }
}

/** Children started by this run, stopped (by pid) at the end whatever happens. */
const children = new Set();

/** Starts `node <script>` (path relative to the repository) with `env` on top of a minimal environment. */
export function startNode(script, env, { label = script, args = [], nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, resolve(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const tee = process.env.BENCH_CHILD_OUTPUT_DIR
    ? `${process.env.BENCH_CHILD_OUTPUT_DIR}/${label.replace(/[^a-z0-9-]/gi, '_')}-${Date.now()}.log`
    : null;
  const keep = (chunk) => {
    if (tee) appendFileSync(tee, chunk);
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
  const handle = { label, child, pid: child.pid, exited, output: () => output };
  children.add(handle);
  void exited.then(() => children.delete(handle));
  return handle;
}

/** SIGTERM, then SIGKILL after `graceMs`. Only ever signals the pid this run started. */
export async function stopChild(handle, graceMs = 10_000) {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
  handle.child.kill('SIGTERM');
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), graceMs);
  await handle.exited;
  clearTimeout(timer);
}

export async function stopAllChildren() {
  await Promise.all([...children].map((handle) => stopChild(handle, 5_000)));
}

/** Resident set size of a process in bytes (Linux /proc), or NaN when it is gone. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The pids of `pid`'s child processes (Linux /proc; empty when it has none or is gone). */
export function childPids(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * Samples the RSS of labelled pids every `intervalMs`; `stop()` returns `{ label: { peak, last, samples } }`.
 * A target with `pids()` instead of `pid` is the sum over the pids it returns at each sample (skipped when none).
 */
export function sampleRss(targets, intervalMs = 200) {
  const stats = new Map(targets.map(({ label }) => [label, { peak: 0, last: Number.NaN, samples: 0 }]));
  const tick = () => {
    for (const { label, pid, pids } of targets) {
      const rss = pids ? pids().reduce((sum, p) => sum + (rssBytes(p) || 0), 0) || Number.NaN : rssBytes(pid);
      if (!Number.isFinite(rss)) continue;
      const s = stats.get(label);
      s.peak = Math.max(s.peak, rss);
      s.last = rss;
      s.samples++;
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return Object.fromEntries(stats);
    },
  };
}

export const MB = 1024 * 1024;

/** CPU time (user + system) a process has used, in ms (Linux /proc, 100 ticks/s), or NaN when it is gone. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Minor page faults a process has taken (Linux /proc: pages first touched, or mapped again), or NaN when it is gone. */
export function minorFaults(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // minflt is field 10
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return Number.NaN;
  }
}

/** CPU time the whole machine spent busy (every core; not idle, not iowait), in ms. */
export function machineBusyMs() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) * 10;
}

/** Pids of every process whose command name is `name` (e.g. `nats-server`, `postgres`). */
export function pidsOf(name) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Context switches of every thread of a process (voluntary + involuntary, Linux /proc): each
 * voluntary one is a thread going to sleep, i.e. one wake-up later. NaN when the process is gone.
 */
export function contextSwitches(pid) {
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      for (const match of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) total += Number(match[1]);
    }
    return total;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU used between `start()` and `stop(events)` by each labelled pid (a label may hold several pids:
 * all PostgreSQL backends), and by the whole machine, in ms per event. A process that started
 * meanwhile (a new PostgreSQL backend) counts from zero.
 */
export function cpuAccount(targets) {
  /** Each label's pids → `counter(pid)` now. */
  const read = (counter) =>
    Object.fromEntries(targets.map(({ label, pids }) => [label, new Map(pids().map((pid) => [pid, counter(pid)]))]));
  /** Each label's growth of a counter from `before` to `after`, per event (a pid missing before counts from zero). */
  const perEvent = (before, after, events, digits) => {
    const result = {};
    for (const { label } of targets) {
      let grown = 0;
      for (const [pid, n] of after[label]) if (Number.isFinite(n)) grown += n - (before[label].get(pid) ?? 0);
      result[label] = round(grown / events, digits);
    }
    return result;
  };
  const switchesBefore = read(contextSwitches);
  const faultsBefore = read(minorFaults);
  const cpuBefore = read(cpuMs);
  const machineBefore = machineBusyMs();
  const started = performance.now();
  return {
    stop(events) {
      const cpuAfter = read(cpuMs);
      const seconds = (performance.now() - started) / 1000;
      const cpuPerEvent = perEvent(cpuBefore, cpuAfter, events, 3);
      cpuPerEvent.machine = round((machineBusyMs() - machineBefore) / events, 3);
      return {
        events,
        seconds: round(seconds, 1),
        cpu_ms_per_event: cpuPerEvent,
        context_switches_per_event: perEvent(switchesBefore, read(contextSwitches), events, 1),
        minor_page_faults_per_event: perEvent(faultsBefore, read(minorFaults), events, 2),
      };
    },
  };
}

/** Runs `node <script> ...args` to completion and parses the last stdout line as JSON. */
export async function runChildJson(script, args, { label = script, timeoutMs = 120_000 } = {}) {
  const handle = startNode(script, {}, { label, args });
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), timeoutMs);
  const code = await handle.exited;
  clearTimeout(timer);
  const lines = handle.output().trim().split('\n');
  if (code !== 0) throw new Error(`${label} exited with ${code}:\n${handle.output()}`);
  return { result: JSON.parse(lines[lines.length - 1]), output: handle.output() };
}
