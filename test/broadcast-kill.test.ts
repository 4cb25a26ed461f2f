/**
 * A streamed broadcast survives kill -9 (issue 15, item 5; SPEC §8). A broadcast beyond
 * `HERALD_ROUTING_CHUNK` candidates is routed, published and stored a chunk at a time, and the
 * event is marked routed only after its last part: so a replica killed in the middle of one leaves
 * some chunks published and stored and no routed mark. The gateway process (production entrypoint,
 * chunks of 100) is killed once a few hundred of the 4 000 alerts are on the deliver stream; a
 * second replica then takes the event over. Afterwards the deliver stream holds exactly the 4 000
 * expected alerts (no loss; the re-published ones de-duplicated by delivery id), the delivery log
 * 4 000 rows, and the decisions API every candidate once, from the 41 parts of the second attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENT_CATALOGUE, topology } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN } from './support/gateway-config.js';
import { startDeployable, tally, waitStarted } from './support/fault-kit.js';
import { killAll, REPO_ROOT, type ChildHandle } from './support/processes.js';

const USERS = 4_000;
const CHUNK = 100;
const prefix = uniquePrefix('bckill');
const topo = topology({ prefix });
let natsUrl: string;
let nc: NatsConnection;
let db: TestDatabase;
const children: ChildHandle[] = [];

beforeAll(async () => {
  if (!existsSync(resolve(REPO_ROOT, 'gateway/dist/main.js')))
    throw new Error('gateway/dist is missing: run `npm run build` first (npm test does it)');
  natsUrl = await resolveNatsUrl();
  nc = await connect({ servers: natsUrl });
  db = await createTestDatabase();
  // every user a member of product type "all" and personally subscribed to engagement_added by alert
  const personal = { ...Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, []])), engagement_added: ['alert'] };
  await db.query(
    `insert into gateway.users (id, username, email, full_name)
     select g::text, 'user' || g, 'user' || g || '@example.com', 'User ' || g from generate_series(1, $1::int) g`,
    [USERS],
  );
  await db.query(`insert into gateway.product_types (id, name) values ('all', 'Everyone')`);
  await db.query(`insert into gateway.products (id, name, product_type_id) values ('p1', 'Web', 'all')`);
  await db.query(
    `insert into gateway.product_type_members (scope_id, user_id, role) select 'all', g::text, 'Reader' from generate_series(1, $1::int) g`,
    [USERS],
  );
  await db.query(`insert into gateway.personal_settings (user_id, events) select g::text, $2::jsonb from generate_series(1, $1::int) g`, [
    USERS,
    JSON.stringify(personal),
  ]);
});

afterAll(async () => {
  await killAll(children);
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('kill -9 of the gateway in the middle of a streamed broadcast', () => {
  it('loses no alert, publishes none twice and stores every decision once', async () => {
    const env = { natsUrl, databaseUrl: db.url, prefix };
    const first = startDeployable('gateway', env, { HERALD_ROUTING_CHUNK: String(CHUNK) });
    children.push(first);
    await waitStarted('gateway', first);

    // count the alerts as they reach the deliver stream, and kill the replica mid-broadcast
    let seen = 0;
    let killedAt = 0;
    const sub = nc.subscribe(topo.subjects.deliver('alert'), {
      callback: () => {
        seen++;
        if (seen === 300 && killedAt === 0) {
          first.child.kill('SIGKILL');
          killedAt = Date.now();
        }
      },
    });
    await nc.flush();
    const event = {
      specversion: '1.0',
      id: 'bc-kill',
      source: 'test',
      type: 'engagement_added',
      data: {
        title: 'Engagement for everyone',
        product: { id: 'p1', name: 'Web', product_type_id: 'all' },
        engagement: { id: 'e1', name: 'Pen test', product_id: 'p1' },
      },
    };
    await jetstream(nc).publish(topo.subjects.event(event.type), JSON.stringify(event), { msgID: event.id });
    await first.exited;
    expect(killedAt).toBeGreaterThan(0);
    const storedAtKill = (await readStream(nc, topo.streams.deliver.name)).length;
    expect(storedAtKill).toBeLessThan(USERS);
    expect(first.output()).not.toContain('"event routed"');

    const second = startDeployable('gateway', env, { HERALD_ROUTING_CHUNK: String(CHUNK) });
    children.push(second);
    const port = await waitStarted('gateway', second);
    await waitFor(
      () => second.output().includes('"event routed"'),
      (routed) => routed,
      60_000,
      250,
    );
    const finishedAfterKillMs = Date.now() - killedAt;
    await sub.drain();

    const expected = Array.from({ length: USERS }, (_, i) => `test:bc-kill:alert:user-${i + 1}`);
    const final = (await readStream(nc, topo.streams.deliver.name)).map((m) => m.headers['Nats-Msg-Id'] ?? '');
    const figures = tally('kill -9 gateway mid streamed broadcast (deliver stream)', 1, expected, final);
    process.stdout.write(
      `[fault figures] streamed broadcast kill: ${storedAtKill} of ${USERS} alerts stored when killed, routed by the second replica ${finishedAfterKillMs} ms after the kill\n`,
    );
    expect(figures).toMatchObject({ expected: USERS, received: USERS, lost: 0, duplicates: 0, unexpected: 0 });

    const logged = await db.query<{ n: string }>(`select count(*)::text as n from gateway.deliveries where event_id = 'bc-kill'`);
    expect(logged[0]?.n).toBe(String(USERS));
    // the system pass and the 4 000 candidates: 4 001 decisions, 40 full parts of 100 and one of 1
    const parts = await db.query<{ parts: number }>(
      `select parts from gateway.event_decisions where source = 'test' and event_id = 'bc-kill'`,
    );
    expect(parts).toEqual([{ parts: 41 }]);
    const api = new ApiClient(`http://127.0.0.1:${port}/api/v1`, TEST_ADMIN_TOKEN);
    const served = await api.expect<{ decisions: Array<{ scope: string; username?: string; channels?: string[] }> }>(
      200,
      'GET',
      '/events/bc-kill/decisions',
    );
    expect(served.decisions).toHaveLength(USERS + 1);
    expect(served.decisions[0]?.scope).toBe('system');
    const users = served.decisions.slice(1);
    expect(new Set(users.map((d) => d.username))).toEqual(new Set(Array.from({ length: USERS }, (_, i) => `user${i + 1}`)));
    expect(users.every((d) => d.scope === 'user' && JSON.stringify(d.channels) === '["alert"]')).toBe(true);
  }, 120_000);
});
