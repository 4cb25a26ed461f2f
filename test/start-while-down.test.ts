/**
 * SPEC §8: a gateway or plugin started while NATS and PostgreSQL are unreachable does not exit.
 * It waits with capped exponential backoff, logging each attempt, answers `/health/live` 200 and
 * `/health/ready` 503 meanwhile, and becomes ready by itself once both are there. The gateway and
 * the alert plugin start against a private nats-server port and a PostgreSQL port where nothing
 * listens yet; then the nats-server starts, then a TCP proxy to the real PostgreSQL server opens.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase, waitFor, type ScratchDatabase, uniquePrefix, reservedPort } from '@herald/contracts/testing';
import { readyStatus, startDeployable, waitStarted } from './support/fault-kit.js';
import { killAll, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('down');
const store = mkdtempSync(join(tmpdir(), 'herald-down-nats-'));
let db: ScratchDatabase;
let nats: ChildProcess | undefined;
let proxy: Server | undefined;
const sockets = new Set<Socket>();
const children: ChildHandle[] = [];

/** Forwards `port` to the real PostgreSQL server at `target`. */
async function startProxy(port: number, target: URL): Promise<Server> {
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const attempts = (child: ChildHandle, dependency: string): number =>
  child
    .output()
    .split('\n')
    .filter((line) => line.includes(`"${dependency} unavailable; waiting before the next attempt"`)).length;

beforeAll(async () => {
  db = await createScratchDatabase();
});

afterAll(async () => {
  await killAll(children);
  nats?.kill('SIGKILL');
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await db?.drop();
  rmSync(store, { recursive: true, force: true });
});

describe('starting while NATS and PostgreSQL are down', () => {
  it('waits with backoff and readiness 503, then becomes ready without a restart', async () => {
    const natsPort = await reservedPort();
    const pgPort = await reservedPort();
    const real = new URL(db.url);
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${pgPort}`;
    const env = { natsUrl: `nats://127.0.0.1:${natsPort}`, databaseUrl: viaProxy.toString(), prefix };
    const ports = { gateway: await reservedPort(), alert: await reservedPort() };
    const gateway = startDeployable('gateway', env, { HERALD_HTTP_PORT: String(ports.gateway) });
    const alert = startDeployable('alert', env, { HERALD_PLUGIN_HTTP_PORT: String(ports.alert) });
    children.push(gateway, alert);

    // NATS down: both wait (at least three attempts each, 0.5 s, 1 s, 2 s apart), live but not ready.
    for (const child of [gateway, alert])
      await waitFor(
        () => Promise.resolve(attempts(child, 'NATS')),
        (n) => n >= 3,
        15_000,
        100,
      );
    for (const port of Object.values(ports)) {
      expect(await readyStatus(port)).toBe(503);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    }
    const waiting = (await (await fetch(`http://127.0.0.1:${ports.alert}/health/ready`)).json()) as Record<string, unknown>;
    expect(waiting).toEqual({ status: 'starting', waiting_for: 'nats' });

    nats = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', store], { stdio: 'ignore' });

    // PostgreSQL still down: both now wait for it, still not ready.
    for (const child of [gateway, alert])
      await waitFor(
        () => Promise.resolve(attempts(child, 'PostgreSQL')),
        (n) => n >= 2,
        20_000,
        100,
      );
    for (const port of Object.values(ports)) expect(await readyStatus(port)).toBe(503);

    proxy = await startProxy(pgPort, real);
    expect(await waitStarted('gateway', gateway, 30_000)).toBe(ports.gateway);
    expect(await waitStarted('alert', alert, 30_000)).toBe(ports.alert);
    for (const port of Object.values(ports))
      await waitFor(
        () => readyStatus(port),
        (s) => s === 200,
        10_000,
        200,
      );
    expect([gateway.child.exitCode, alert.child.exitCode]).toEqual([null, null]);
    // Capped exponential backoff: the delays logged never exceed 10 s and grow from 0.5 s.
    const delays = gateway
      .output()
      .split('\n')
      .filter((l) => l.includes('"NATS unavailable'))
      .map((l) => (JSON.parse(l) as { retry_in_ms: number }).retry_in_ms);
    expect(delays.slice(0, 3)).toEqual([500, 1_000, 2_000]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(10_000);
  }, 90_000);

  it('still exits with 78 on bad configuration', async () => {
    const bad = startDeployable('gateway', { natsUrl: 'nats://127.0.0.1:1', databaseUrl: db.url, prefix }, { HERALD_HTTP_PORT: 'eighty' });
    children.push(bad);
    expect(await bad.exited).toBe(78);
  }, 20_000);
});
