/**
 * SPEC §8: restarting NATS mid-burst pauses work and it resumes by itself; nothing is lost and
 * nothing is stored twice. A gateway and an alert plugin run as their own processes against a
 * private nats-server (its own port and store, so the machine's server is untouched); 150 events
 * are published, the server is stopped while they are being routed and stored, 150 more are
 * published while it is down and restarting, 100 more after it is back. Every event becomes exactly
 * one alert.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { topology } from '@herald/contracts';
import { createScratchDatabase, uniquePrefix, waitFor, type ScratchDatabase, reservedPort } from '@herald/contracts/testing';
import { ApiClient } from './support/api-client.js';
import { readyStatus, startDeployable, tally, waitStarted } from './support/fault-kit.js';
import { TEST_ADMIN_TOKEN } from './support/gateway-config.js';
import { killAll, type ChildHandle } from './support/processes.js';

const BEFORE = 300;
/** Of the `BEFORE` events, those published before the server stops; the rest while it is down. */
const FIRST = 150;
const AFTER = 100;
const prefix = uniquePrefix('natsburst');
const topo = topology({ prefix });
const store = mkdtempSync(join(tmpdir(), 'herald-natsburst-'));
let natsPort: number;
let server: ChildProcess | undefined;
let nc: NatsConnection;
let db: ScratchDatabase;
const children: ChildHandle[] = [];

async function startNats(): Promise<void> {
  server = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', store], { stdio: 'ignore' });
  await waitFor(
    () =>
      connect({ servers: `nats://127.0.0.1:${natsPort}` }).then(
        (c) => c.close().then(() => true),
        () => false,
      ),
    (up) => up,
    10_000,
    100,
  );
}

async function stopNats(): Promise<void> {
  const current = server;
  if (!current || current.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
  current.kill('SIGTERM');
  await exited;
}

async function storedIds(): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<{ id: string }>('select delivery_id as id from alerts.alerts')).rows.map((r) => r.id);
  } catch {
    return [];
  } finally {
    await client.end();
  }
}

function publishEvents(from: number, count: number): Promise<unknown[]> {
  const js = jetstream(nc);
  return Promise.all(
    Array.from({ length: count }, (_, k) => {
      const id = `nr-${from + k}`;
      const event = { specversion: '1.0', id, source: 'test', type: 'code_review', data: { recipients: ['ann'] } };
      // A publisher retries (same Nats-Msg-Id) while the restarted server recovers its streams.
      const attempt = (left: number): Promise<unknown> =>
        js.publish(topo.subjects.event('code_review'), JSON.stringify(event), { msgID: id }).catch(async (error: unknown) => {
          if (left === 0) throw error;
          await new Promise((r) => setTimeout(r, 500));
          return attempt(left - 1);
        });
      return attempt(10);
    }),
  );
}

beforeAll(async () => {
  natsPort = await reservedPort();
  await startNats();
  nc = await connect({ servers: `nats://127.0.0.1:${natsPort}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  db = await createScratchDatabase();
  const env = { natsUrl: `nats://127.0.0.1:${natsPort}`, databaseUrl: db.url, prefix };
  const gateway = startDeployable('gateway', env);
  children.push(gateway);
  const port = await waitStarted('gateway', gateway);
  const alert = startDeployable('alert', env);
  children.push(alert);
  await waitStarted('alert', alert);
  await new ApiClient(`http://127.0.0.1:${port}/api/v1`, TEST_ADMIN_TOKEN).expect(201, 'PUT', '/users/1', {
    username: 'ann',
    email: 'ann@example.com',
  });
}, 60_000);

afterAll(async () => {
  await killAll(children);
  await nc?.close();
  await stopNats();
  await db?.drop();
  rmSync(store, { recursive: true, force: true });
});

describe('NATS restarted mid-burst', () => {
  it('loses nothing, stores nothing twice, and every process resumes by itself', async () => {
    // The burst spans the restart by construction: half of it is published first, the server stops
    // once routing and storing are under way, and the other half is published while it is down and
    // coming back (each publish retried with its Nats-Msg-Id). Waiting for the whole burst to be
    // published first let a fast pipeline (or a slow poll) store all of it before the stop.
    await publishEvents(0, FIRST);
    await waitFor(storedIds, (ids) => ids.length >= 30, 20_000, 20);
    await stopNats();
    const storedWhileDown = (await storedIds()).length;
    const rest = publishEvents(FIRST, BEFORE - FIRST);
    await new Promise((r) => setTimeout(r, 1_500));
    await startNats();
    await rest;
    await publishEvents(BEFORE, AFTER);

    const total = BEFORE + AFTER;
    const ids = await waitFor(storedIds, (list) => list.length >= total, 40_000, 250);
    await new Promise((r) => setTimeout(r, 500));
    const expected = Array.from({ length: total }, (_, i) => `test:nr-${i}:alert:user-1`);
    const figures = tally('NATS restart mid-burst (gateway + alert)', total, expected, await storedIds());
    process.stdout.write(
      `[fault figures] NATS restart: alerts stored before the restart ${storedWhileDown} of the ${FIRST} published before it (${BEFORE - FIRST} more during it)\n`,
    );
    expect(ids.length).toBe(total);
    expect(figures).toMatchObject({ expected: total, received: total, lost: 0, duplicates: 0, unexpected: 0 });
    expect(children.map((c) => c.child.exitCode)).toEqual([null, null]);
    for (const c of children) {
      const port = Number(
        /"http_port":(\d+)/.exec(
          c
            .output()
            .split('\n')
            .find((l) => l.includes('started"'))!,
        )![1],
      );
      await waitFor(
        () => readyStatus(port),
        (s) => s === 200,
        10_000,
        200,
      );
    }
  }, 90_000);
});
