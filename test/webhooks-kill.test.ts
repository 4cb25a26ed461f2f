/**
 * SPEC §8: kill -9 of a webhooks plugin replica mid-burst loses nothing, and the other replica
 * finishes the killed one's in-flight messages within 10 s (ack wait 5 s). Two real webhooks
 * plugin processes share one database and one system endpoint (a local receiver); 250 channel
 * messages are published on `<prefix>.deliver.webhooks`; one replica is killed after it settled
 * 60. A receiver may see a message twice only when its sender died between sending and recording,
 * and then with the same `webhook-id` (the delivery id): the duplicates are counted and printed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology } from '@herald/contracts';
import {
  channelMessage,
  createScratchDatabase,
  deleteTopology,
  publishMessage,
  resolveNatsUrl,
  statusesOf,
  uniquePrefix,
  waitFor,
  type ScratchDatabase,
} from '@herald/contracts/testing';
import {
  createSystemEndpoint,
  settledCount,
  startDeployable,
  startWebhookReceiver,
  tally,
  waitStarted,
  type WebhookReceiver,
} from './support/fault-kit.js';
import { killAll, type ChildHandle } from './support/processes.js';

const COUNT = 250;
const prefix = uniquePrefix('hookkill');
let nc: NatsConnection;
let db: ScratchDatabase;
let receiver: WebhookReceiver;
const children: ChildHandle[] = [];

beforeAll(async () => {
  const natsUrl = await resolveNatsUrl();
  nc = await connect({ servers: natsUrl });
  db = await createScratchDatabase();
  receiver = await startWebhookReceiver();
  const env = { natsUrl, databaseUrl: db.url, prefix };
  // The endpoint API authenticates through the gateway's auth responder.
  const gateway = startDeployable('gateway', env);
  children.push(gateway);
  await waitStarted('gateway', gateway);
  const ports: number[] = [];
  for (let i = 0; i < 2; i++) {
    const child = startDeployable('webhooks', env);
    children.push(child);
    ports.push(await waitStarted('webhooks', child));
  }
  await createSystemEndpoint(ports[0]!, receiver.url);
}, 60_000);

afterAll(async () => {
  await killAll(children);
  await receiver?.close();
  await deleteTopology(nc, topology({ prefix }));
  await nc?.close();
  await db?.drop();
});

describe('kill -9 of a webhooks replica mid-burst', () => {
  it('loses nothing; the survivor finishes within 10 s; any duplicate carries the same delivery id', async () => {
    const [, victim, survivor] = children as [ChildHandle, ChildHandle, ChildHandle];
    const expected: string[] = [];
    const publishes: Array<Promise<void>> = [];
    for (let i = 0; i < COUNT; i++) {
      const message = channelMessage('webhooks', 'scan_added', { scope: 'system' }, { eventId: `hk-${i}` });
      expected.push(message.delivery_id);
      publishes.push(publishMessage(nc, prefix, message));
    }
    await Promise.all(publishes);
    await waitFor(
      () => Promise.resolve(settledCount(victim)),
      (n) => n >= 60,
      20_000,
      20,
    );
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    const settledByKilled = settledCount(victim);
    expect(settledByKilled).toBeLessThan(COUNT);

    await waitFor(
      () => Promise.resolve(new Set(receiver.ids).size),
      (n) => n >= COUNT,
      20_000,
      100,
    );
    const finishedAfterKillMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 500));
    const figures = tally('kill -9 webhooks replica mid-burst', COUNT, expected, receiver.ids);
    process.stdout.write(
      `[fault figures] webhooks kill: settled by the killed replica ${settledByKilled}, finished ${finishedAfterKillMs} ms after the kill\n`,
    );
    expect(figures).toMatchObject({ expected: COUNT, lost: 0, unexpected: 0 });
    // Re-sent only what the killed replica had in flight (at most its concurrency, 16), same ids.
    expect(figures.duplicates).toBeLessThanOrEqual(16);
    expect(finishedAfterKillMs).toBeLessThan(10_000);
    // Every delivery's outcome reaches the status stream, also where its status was still waiting
    // for a report batch in the killed replica: that message was not acknowledged, so the survivor
    // takes it over and reports it.
    const delivered = await waitFor(
      async () => new Set((await statusesOf(nc, prefix, 'webhooks')).filter((s) => s.outcome === 'delivered').map((s) => s.delivery_id)),
      (ids) => expected.every((id) => ids.has(id)),
      20_000,
      200,
    );
    expect(expected.filter((id) => !delivered.has(id))).toEqual([]);
    expect(survivor.child.exitCode).toBeNull();
  }, 60_000);
});
