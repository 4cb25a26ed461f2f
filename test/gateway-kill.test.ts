/**
 * SPEC §8: killing the gateway with SIGKILL in the middle of a burst loses no event and publishes
 * no delivery twice, and another replica takes over within 10 s. Two real gateway processes route
 * 300 events (one alert each); one is killed mid-burst and the other finishes: the deliver stream
 * then holds exactly the 300 expected deliveries (JetStream de-duplicates the re-published ones by
 * delivery id), and the last one arrives within 10 s of the kill.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, testGatewayEnv } from './support/gateway-config.js';
import { tally } from './support/fault-kit.js';
import { killAll, REPO_ROOT, startNode, waitForOutput, type ChildHandle } from './support/processes.js';

const BURST = 300;
const prefix = uniquePrefix('kill');
const topo = topology({ prefix });
let nc: NatsConnection;
let db: TestDatabase;
let env: Record<string, string>;
const children: ChildHandle[] = [];

function gateway(): ChildHandle {
  const child = startNode('gateway/dist/main.js', env);
  children.push(child);
  return child;
}

const routedCount = (child: ChildHandle): number => (child.output().match(/"event routed"/g) ?? []).length;

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  if (!existsSync(resolve(REPO_ROOT, 'gateway/dist/main.js')))
    throw new Error('gateway/dist is missing: run `npm run build` first (npm test does it)');
  env = testGatewayEnv(url, prefix, db.url, { HERALD_LOG_LEVEL: 'info', HERALD_INGEST_CONCURRENCY: '8' });
});

afterAll(async () => {
  await killAll(children);
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('SIGKILL of the gateway', () => {
  it('loses no event and duplicates no delivery', async () => {
    const first = gateway();
    const second = gateway();
    await waitForOutput(first, (out) => out.includes('gateway started'));
    await waitForOutput(second, (out) => out.includes('gateway started'));
    const port = /"http_port":(\d+)/.exec(first.output())![1]!;
    await new ApiClient(`http://127.0.0.1:${port}/api/v1`, TEST_ADMIN_TOKEN).expect(201, 'PUT', '/users/1', {
      username: 'ann',
      email: 'ann@example.com',
    });

    const js = jetstream(nc);
    const acks = [];
    for (let i = 0; i < BURST; i++) {
      const id = `k-${i}`;
      acks.push(
        js.publish(
          topo.subjects.event('code_review'),
          JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'code_review', data: { recipients: ['ann'] } }),
          { msgID: id },
        ),
      );
    }
    await Promise.all(acks);
    await waitForOutput(first, () => routedCount(first) >= 30, 20_000);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    expect(routedCount(first)).toBeLessThan(BURST);

    const ids = await waitFor(
      async () => (await readStream(nc, topo.streams.deliver.name)).map((m) => m.headers['Nats-Msg-Id'] ?? ''),
      (list) => list.length >= BURST,
      40_000,
      250,
    );
    const finishedAfterKillMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 500));
    const final = (await readStream(nc, topo.streams.deliver.name)).map((m) => m.headers['Nats-Msg-Id'] ?? '');
    const expected = Array.from({ length: BURST }, (_, i) => `test:k-${i}:alert:user-1`);
    const figures = tally('kill -9 gateway replica mid-burst (deliver stream)', BURST, expected, final);
    process.stdout.write(
      `[fault figures] gateway kill: routed by the killed replica ${routedCount(first)}, finished ${finishedAfterKillMs} ms after the kill\n`,
    );
    expect(finishedAfterKillMs).toBeLessThan(10_000);
    expect(second.child.exitCode).toBeNull();
    expect(figures).toMatchObject({ expected: BURST, received: BURST, lost: 0, duplicates: 0, unexpected: 0 });
    expect(final).toHaveLength(BURST);
    expect(new Set(final)).toEqual(new Set(expected));
    expect(ids.length).toBe(BURST);
    const recorded = await waitFor(
      async () => Number((await db.query<{ n: string }>('select count(*)::text as n from gateway.deliveries'))[0]?.n),
      (n) => n >= BURST,
      10_000,
      100,
    );
    expect(recorded).toBe(BURST);
  }, 90_000);
});
