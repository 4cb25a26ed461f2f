/**
 * SPEC §8: no Herald process dies when PostgreSQL drops its connections, and no message is lost.
 * The gateway, the alert plugin and the webhooks plugin run as their own processes on one fresh
 * database; every connection to that database is terminated (`pg_terminate_backend`, what a
 * server restart does to clients) once while they are idle and then repeatedly during a burst.
 * Every process stays up and ready; every event becomes exactly one alert; every webhook message
 * reaches the receiver exactly once (bookkeeping failures are retried, never the send).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { topology } from '@herald/contracts';
import {
  channelMessage,
  createScratchDatabase,
  deleteTopology,
  publishMessage,
  resolveNatsUrl,
  uniquePrefix,
  waitFor,
  type ScratchDatabase,
} from '@herald/contracts/testing';
import { ApiClient } from './support/api-client.js';
import {
  createSystemEndpoint,
  readyStatus,
  startDeployable,
  startWebhookReceiver,
  tally,
  terminateBackends,
  waitStarted,
  type Deployable,
  type WebhookReceiver,
} from './support/fault-kit.js';
import { TEST_ADMIN_TOKEN } from './support/gateway-config.js';
import { killAll, type ChildHandle } from './support/processes.js';

const EVENTS = 200;
const WEBHOOK_MESSAGES = 100;
const prefix = uniquePrefix('pgterm');
const topo = topology({ prefix });
let nc: NatsConnection;
let db: ScratchDatabase;
let receiver: WebhookReceiver;
const running = new Map<Deployable, { child: ChildHandle; port: number }>();

async function rows(sql: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<{ id: string }>(sql)).rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

const alive = (): Deployable[] => [...running].filter(([, r]) => r.child.child.exitCode === null).map(([kind]) => kind);

beforeAll(async () => {
  const natsUrl = await resolveNatsUrl();
  nc = await connect({ servers: natsUrl });
  db = await createScratchDatabase();
  receiver = await startWebhookReceiver();
  const env = { natsUrl, databaseUrl: db.url, prefix };
  const gateway = startDeployable('gateway', env);
  running.set('gateway', { child: gateway, port: await waitStarted('gateway', gateway) });
  for (const kind of ['alert', 'webhooks'] as const) {
    const child = startDeployable(kind, env);
    running.set(kind, { child, port: await waitStarted(kind, child) });
  }
  await new ApiClient(`http://127.0.0.1:${running.get('gateway')!.port}/api/v1`, TEST_ADMIN_TOKEN).expect(201, 'PUT', '/users/1', {
    username: 'ann',
    email: 'ann@example.com',
  });
  await createSystemEndpoint(running.get('webhooks')!.port, receiver.url);
}, 60_000);

afterAll(async () => {
  await killAll([...running.values()].map((r) => r.child));
  await receiver?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('PostgreSQL connections terminated', () => {
  it('while idle: every process logs the lost connection, stays up and becomes ready again', async () => {
    // Make sure each process holds pooled connections, then drop them all.
    for (const { port } of running.values()) expect(await readyStatus(port)).toBe(200);
    expect(await terminateBackends(db.url)).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alive()).toEqual(['gateway', 'alert', 'webhooks']);
    for (const [kind, { child, port }] of running) {
      expect({ kind, logged: child.output().includes('database connection lost') }).toEqual({ kind, logged: true });
      await waitFor(
        () => readyStatus(port),
        (status) => status === 200,
        10_000,
        200,
      );
    }
  }, 30_000);

  it('while busy: no process dies, no event or message is lost, no alert is stored twice', async () => {
    const js = jetstream(nc);
    const publishes: Array<Promise<unknown>> = [];
    for (let i = 0; i < EVENTS; i++) {
      const id = `pg-${i}`;
      const event = { specversion: '1.0', id, source: 'test', type: 'code_review', data: { recipients: ['ann'] } };
      publishes.push(js.publish(topo.subjects.event('code_review'), JSON.stringify(event), { msgID: id }));
    }
    for (let i = 0; i < WEBHOOK_MESSAGES; i++) {
      publishes.push(publishMessage(nc, prefix, channelMessage('webhooks', 'scan_added', { scope: 'system' }, { eventId: `wh-${i}` })));
    }
    await Promise.all(publishes);
    // Drop every connection every 150 ms for 2.5 s while the burst is being worked on.
    let terminated = 0;
    for (const end = Date.now() + 2_500; Date.now() < end;) {
      terminated += await terminateBackends(db.url);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(terminated).toBeGreaterThan(0);

    const expectedAlerts = Array.from({ length: EVENTS }, (_, i) => `test:pg-${i}:alert:user-1`);
    const alerts = await waitFor(
      () => rows('select delivery_id as id from alerts.alerts'),
      (ids) => ids.length >= EVENTS,
      30_000,
      250,
    );
    const expectedHooks = Array.from({ length: WEBHOOK_MESSAGES }, (_, i) => `defectdojo:wh-${i}:webhooks:system`);
    await waitFor(
      () => Promise.resolve(new Set(receiver.ids).size),
      (n) => n >= WEBHOOK_MESSAGES,
      30_000,
      250,
    );
    await new Promise((r) => setTimeout(r, 1_000));

    const alertFigures = tally('pg_terminate_backend during burst: alert (via gateway)', EVENTS, expectedAlerts, alerts);
    const hookFigures = tally('pg_terminate_backend during burst: webhooks', WEBHOOK_MESSAGES, expectedHooks, receiver.ids);
    expect(alive()).toEqual(['gateway', 'alert', 'webhooks']);
    expect(alertFigures).toMatchObject({ expected: EVENTS, received: EVENTS, lost: 0, duplicates: 0, unexpected: 0 });
    expect(hookFigures).toMatchObject({ expected: WEBHOOK_MESSAGES, received: WEBHOOK_MESSAGES, lost: 0, duplicates: 0, unexpected: 0 });
    const decisions = await waitFor(
      () => rows("select delivery_id as id from gateway.deliveries where delivery_id like 'test:pg-%'"),
      (ids) => ids.length >= EVENTS,
      10_000,
      250,
    );
    expect(new Set(decisions)).toEqual(new Set(expectedAlerts));
    for (const { port } of running.values()) expect(await readyStatus(port)).toBe(200);
  }, 60_000);
});
