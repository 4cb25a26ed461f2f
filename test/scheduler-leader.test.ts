/**
 * One scheduler among replicas: two real gateway processes tick every second; each tick's job runs
 * once in total. SIGKILL the leader, and the other replica runs the next ticks once the lease
 * (3 s here) has run out.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayEnv } from './support/gateway-config.js';
import { killAll, REPO_ROOT, startNode, waitForOutput, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('leader');
const topo = topology({ prefix });
let nc: NatsConnection;
let db: TestDatabase;
const children: ChildHandle[] = [];

interface JobRun {
  readonly replica: string;
  readonly second: number;
  readonly at: number;
}

function runs(handle: ChildHandle): JobRun[] {
  return handle
    .output()
    .split('\n')
    .filter((line) => line.includes('"scheduler job ran"'))
    .map((line) => JSON.parse(line) as { time: string; job: string; replica: string })
    .filter((entry) => entry.job === 'scheduled-events')
    .map((entry) => ({ replica: entry.replica, at: Date.parse(entry.time), second: Math.floor(Date.parse(entry.time) / 1000) }));
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  if (!existsSync(resolve(REPO_ROOT, 'gateway/dist/main.js')))
    throw new Error('gateway/dist is missing: run `npm run build` first (npm test does it)');
  const env = testGatewayEnv(url, prefix, db.url, {
    HERALD_LOG_LEVEL: 'info',
    HERALD_SCHEDULER_LEASE_MS: '3000',
    HERALD_SCHEDULE_SCHEDULED_EVENTS: '* * * * * *',
    HERALD_SCHEDULE_ENGAGEMENT_REMINDERS: '0 0 1 1 *',
    HERALD_SCHEDULE_ALERT_RETENTION: '0 0 1 1 *',
    HERALD_SCHEDULE_WEBHOOK_SWEEP: '0 0 1 1 *',
  });
  for (let i = 0; i < 2; i++) {
    const child = startNode('gateway/dist/main.js', env);
    children.push(child);
    await waitForOutput(child, (out) => out.includes('gateway started'));
  }
});

afterAll(async () => {
  await killAll(children);
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('scheduler leadership', () => {
  it('runs each tick once in total, and moves to the other replica when the leader is killed', async () => {
    await new Promise((r) => setTimeout(r, 4_500));
    const [first, second] = children as [ChildHandle, ChildHandle];
    const before = [...runs(first), ...runs(second)];
    expect(before.length).toBeGreaterThanOrEqual(3);
    const perSecond = new Map<number, number>();
    for (const run of before) perSecond.set(run.second, (perSecond.get(run.second) ?? 0) + 1);
    expect([...perSecond.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(before.map((r) => r.replica)).size).toBe(1);

    const leader = runs(first).length > 0 ? first : second;
    const follower = leader === first ? second : first;
    expect(runs(follower)).toHaveLength(0);
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    await waitForOutput(follower, () => runs(follower).length >= 2, 10_000);
    const takeover = runs(follower);
    expect(takeover[0]!.at - killedAt).toBeLessThan(3_000 + 2_000);
    expect(new Set(takeover.map((r) => r.second)).size).toBe(takeover.length);
  }, 30_000);
});
