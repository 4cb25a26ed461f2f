/**
 * A private NATS cluster for tests and benchmarks: `size` nats-server processes on free loopback
 * ports, each with its own JetStream store in a temporary folder and routes to every other node
 * (cluster `herald-test`). Each node carries the server tag `node:<name>` for placement tests.
 * Nodes can be killed with SIGKILL and restarted on the same ports and store. Needs the
 * `nats-server` binary (Debian's package installs `/usr/sbin/nats-server`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { reservedPort } from './ports.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface NatsClusterNode {
  /** `server_name`, e.g. `n1`. */
  readonly name: string;
  /** Client URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Whether its process runs. */
  running(): boolean;
  /** SIGKILL; resolves once the process exited. */
  kill(): Promise<void>;
  /** Starts the process again (same ports and store); resolves once it serves JetStream requests. */
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated (what `NATS_URL` takes). */
  readonly urls: string;
  /** Kills every node and removes the stores. */
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  /** Number of nodes. @default 3 */
  readonly size?: number;
  /** The nats-server binary. @default "/usr/sbin/nats-server" */
  readonly binary?: string;
  /** Time for the cluster to serve JetStream requests, ms. @default 30000 */
  readonly startTimeoutMs?: number;
}

/** Resolves once `url` answers a JetStream account request (the cluster has a meta leader). */
async function waitForJetStream(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1_000 });
      try {
        await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      last = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`NATS cluster node ${url} did not serve JetStream within ${timeoutMs} ms (last error: ${last})`);
}

/** Starts the cluster; resolves once every node serves JetStream requests. */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const binary = options.binary ?? '/usr/sbin/nats-server';
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const root = mkdtempSync(join(tmpdir(), 'herald-nats-cluster-'));
  const specs: Array<{ name: string; port: number; clusterPort: number }> = [];
  for (let i = 1; i <= size; i++) specs.push({ name: `n${i}`, port: await reservedPort(), clusterPort: await reservedPort() });
  const routes = specs.map((s) => `nats-route://127.0.0.1:${s.clusterPort}`);

  const nodes = specs.map((spec): NatsClusterNode & { spawn(): void } => {
    const dir = join(root, spec.name);
    mkdirSync(dir, { recursive: true });
    const configFile = join(dir, 'nats.conf');
    writeFileSync(
      configFile,
      [
        `server_name: ${spec.name}`,
        `listen: 127.0.0.1:${spec.port}`,
        `server_tags: ["node:${spec.name}"]`,
        `jetstream { store_dir: ${JSON.stringify(join(dir, 'store'))} }`,
        `cluster {`,
        `  name: herald-test`,
        `  listen: 127.0.0.1:${spec.clusterPort}`,
        `  routes: [${routes.map((r) => JSON.stringify(r)).join(', ')}]`,
        `}`,
        '',
      ].join('\n'),
    );
    let child: ChildProcess | undefined;
    const url = `nats://127.0.0.1:${spec.port}`;
    const node = {
      name: spec.name,
      url,
      running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
      spawn: () => {
        child = spawn(binary, ['-c', configFile], { stdio: 'ignore' });
        child.once('error', () => undefined);
      },
      kill: async () => {
        const current = child;
        if (!current || current.exitCode !== null || current.signalCode !== null) return;
        const exited = new Promise((resolve) => current.once('exit', resolve));
        current.kill('SIGKILL');
        await exited;
      },
      start: async () => {
        if (node.running()) return;
        node.spawn();
        await waitForJetStream(url, timeoutMs);
      },
    };
    return node;
  });

  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const node of nodes) node.spawn();
    await Promise.all(nodes.map((n) => waitForJetStream(n.url, timeoutMs)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, urls: nodes.map((n) => n.url).join(','), stop };
}
