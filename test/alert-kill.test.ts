/**
 * SPEC §8: kill -9 of an alert plugin replica mid-burst loses nothing, and the other replica
 * finishes the killed one's in-flight messages within 10 s (ack wait 5 s). Two real alert plugin
 * processes share one database; 600 channel messages are published on `<prefix>.deliver.alert`;
 * one replica is killed after it settled 100. Every message becomes exactly one alert (the alerts
 * table is keyed by delivery id: a redelivered message is stored once).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { topology } from '@herald/contracts';
import {
  alice,
  channelMessage,
  createScratchDatabase,
  deleteTopology,
  publishMessage,
  resolveNatsUrl,
  uniquePrefix,
  waitFor,
  type ScratchDatabase,
} from '@herald/contracts/testing';
import { settledCount, startDeployable, tally, waitStarted } from './support/fault-kit.js';
import { killAll, type ChildHandle } from './support/processes.js';

const COUNT = 600;
const prefix = uniquePrefix('alertkill');
let nc: NatsConnection;
let db: ScratchDatabase;
const children: ChildHandle[] = [];

async function storedIds(): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<{ id: string }>('select delivery_id as id from alerts.alerts')).rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const natsUrl = await resolveNatsUrl();
  nc = await connect({ servers: natsUrl });
  db = await createScratchDatabase();
  const env = { natsUrl, databaseUrl: db.url, prefix };
  for (let i = 0; i < 2; i++) {
    const child = startDeployable('alert', env, { HERALD_PLUGIN_CONCURRENCY: '16' });
    children.push(child);
    await waitStarted('alert', child);
  }
}, 60_000);

afterAll(async () => {
  await killAll(children);
  await deleteTopology(nc, topology({ prefix }));
  await nc?.close();
  await db?.drop();
});

describe('kill -9 of an alert replica mid-burst', () => {
  it('loses nothing, stores nothing twice, and the survivor finishes within 10 s', async () => {
    const [victim, survivor] = children as [ChildHandle, ChildHandle];
    const expected: string[] = [];
    const publishes: Array<Promise<void>> = [];
    for (let i = 0; i < COUNT; i++) {
      const message = channelMessage('alert', 'scan_added', { scope: 'personal', user: alice }, { eventId: `ak-${i}` });
      expected.push(message.delivery_id);
      publishes.push(publishMessage(nc, prefix, message));
    }
    await Promise.all(publishes);
    await waitFor(
      () => Promise.resolve(settledCount(victim)),
      (n) => n >= 100,
      20_000,
      20,
    );
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    const settledByKilled = settledCount(victim);
    expect(settledByKilled).toBeLessThan(COUNT);

    const ids = await waitFor(storedIds, (list) => new Set(list).size >= COUNT, 20_000, 100);
    const finishedAfterKillMs = Date.now() - killedAt;
    const figures = tally('kill -9 alert replica mid-burst', COUNT, expected, ids);
    process.stdout.write(
      `[fault figures] alert kill: settled by the killed replica ${settledByKilled}, finished ${finishedAfterKillMs} ms after the kill\n`,
    );
    expect(figures).toMatchObject({ expected: COUNT, received: COUNT, lost: 0, duplicates: 0, unexpected: 0 });
    expect(finishedAfterKillMs).toBeLessThan(10_000);
    expect(survivor.child.exitCode).toBeNull();
  }, 60_000);
});
