/**
 * SPEC §8: restarting NATS pauses work and it resumes by itself — readiness goes red while NATS
 * is away, and events published after the restart are routed. Uses a private nats-server (its own
 * port and store) so the machine's server and other test files are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology } from '@herald/contracts';
import { readStream, waitFor, reservedPort } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, testGatewayConfig } from './support/gateway-config.js';

const prefix = 'chaos';
const topo = topology({ prefix });
const store = mkdtempSync(join(tmpdir(), 'herald-nats-'));
let port: number;
let server: ChildProcess | undefined;
let db: TestDatabase;
let gateway: RunningGateway;
let client: NatsConnection;
let base: string;

async function startNats(): Promise<void> {
  server = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: 'ignore' });
  await waitFor(
    () =>
      connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false }).then(
        (nc) => nc.close().then(() => true),
        () => false,
      ),
    (up) => up,
    10_000,
    100,
  );
}

async function stopNats(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function readiness(): Promise<{ status: number; body: { checks: Record<string, boolean> } }> {
  const res = await fetch(`${base}/health/ready`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, boolean> } };
}

async function routed(eventId: string): Promise<string[]> {
  return (await readStream(client, topo.streams.deliver.name))
    .map((m) => m.headers['Nats-Msg-Id'] ?? '')
    .filter((id) => id.startsWith(`test:${eventId}:`));
}

beforeAll(async () => {
  port = await reservedPort();
  await startNats();
  db = await createTestDatabase();
  const url = `nats://127.0.0.1:${port}`;
  gateway = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger });
  base = `http://127.0.0.1:${gateway.port}`;
  const api = new ApiClient(`${base}/api/v1`, TEST_ADMIN_TOKEN);
  await api.expect(201, 'PUT', '/users/1', { username: 'ann', email: 'ann@example.com' });
  client = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  await client?.close();
  await stopNats();
  await db?.drop();
  rmSync(store, { recursive: true, force: true });
});

describe('NATS restart', () => {
  it('goes not-ready while NATS is down and routes again once it is back', async () => {
    const js = jetstream(client);
    const publish = (id: string) =>
      js.publish(
        topo.subjects.event('code_review'),
        JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'code_review', data: { recipients: ['ann'] } }),
        { msgID: id },
      );
    await publish('before');
    expect(
      await waitFor(
        () => routed('before'),
        (ids) => ids.length === 1,
      ),
    ).toEqual(['test:before:alert:user-1']);
    expect((await readiness()).status).toBe(200);

    await stopNats();
    const down = await waitFor(readiness, (r) => r.status === 503, 10_000, 100);
    expect(down.body.checks['nats']).toBe(false);
    expect(down.body.checks['database']).toBe(true);

    await startNats();
    const up = await waitFor(readiness, (r) => r.status === 200, 15_000, 200);
    expect(up.body.checks).toEqual({ nats: true, database: true, warm: true });
    await waitFor(
      () =>
        publish('after').then(
          () => true,
          () => false,
        ),
      (ok) => ok,
      10_000,
      200,
    );
    expect(
      await waitFor(
        () => routed('after'),
        (ids) => ids.length === 1,
        15_000,
        200,
      ),
    ).toEqual(['test:after:alert:user-1']);
  }, 60_000);
});
