/**
 * Ingest through real NATS JetStream: valid events reach the routing port once; every kind of bad
 * input is dead-lettered with a reason naming the field, and the gateway keeps going.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology, type DeadLetter } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayConfig } from './support/gateway-config.js';
import { RecordingPort } from './support/recording-port.js';

const prefix = uniquePrefix('ingest');
const topo = topology({ prefix });
let nc: NatsConnection;
let js: JetStreamClient;
let gateway: RunningGateway;
let db: TestDatabase;
const port = new RecordingPort();
let seq = 0;

const event = (over: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: `evt-${++seq}`,
  source: 'test',
  type: 'scan_added',
  data: { product: { id: '1', name: 'Web' } },
  ...over,
});

async function deadLetters(): Promise<DeadLetter[]> {
  return (await readStream(nc, topo.streams.dead.name, topo.subjects.deadEvents)).map((m) => m.json<DeadLetter>());
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  gateway = await startGateway({
    config: testGatewayConfig(url, prefix, db.url, { HERALD_MAX_EVENT_BYTES: '4096' }),
    logger: silentLogger,
    routingPort: port,
  });
});

afterAll(async () => {
  await gateway?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('ingest', () => {
  it('answers ready once NATS is connected, streams are provisioned and the warm-up is done', async () => {
    // the warm-up (snapshot, connections, compiled routing) runs after start; readiness waits for it
    const deadline = Date.now() + 10_000;
    let res = await fetch(`http://127.0.0.1:${gateway.port}/health/ready`);
    while (res.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      res = await fetch(`http://127.0.0.1:${gateway.port}/health/ready`);
    }
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { nats: true, database: true, warm: true } });
    expect((await fetch(`http://127.0.0.1:${gateway.port}/health/live`)).status).toBe(200);
  });

  it('routes a valid event once, even when it is published twice with the same id', async () => {
    const e = event();
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(e));
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(e));
    const h = headers();
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(e), { headers: h, msgID: e.id });
    const marker = event();
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(marker));
    await waitFor(
      () => port.ids(),
      (ids) => ids.includes(marker.id),
    );
    expect(port.ids().filter((id) => id === e.id)).toHaveLength(1);
    const routed = port.events.find((x) => x.id === e.id);
    expect(routed?.data.title).toBe('Scan Added');
  });

  const badInputs: Array<[string, string, string, RegExp]> = [
    ['malformed JSON', '{"specversion": "1.0", "id": ', '(root)', /malformed JSON/],
    ['missing id', JSON.stringify({ ...event(), id: undefined }), 'id', /required/],
    ['wrong type of field', JSON.stringify(event({ source: 42 })), 'source', /non-empty string/],
    [
      'non-string recipients',
      JSON.stringify(event({ data: { recipients: ['ann', { username: 'bob' }] } })),
      'data.recipients[1]',
      /username/,
    ],
    ['over the size limit', JSON.stringify(event({ data: { description: 'x'.repeat(8_000) } })), '(root)', /over the limit of 4096 bytes/],
  ];

  it.each(badInputs)('dead-letters %s with the reason, then processes the next valid event', async (_label, payload, field, reason) => {
    const before = (await deadLetters()).length;
    await js.publish(topo.subjects.event('scan_added'), payload);
    const next = event();
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(next));
    const letters = await waitFor(deadLetters, (l) => l.length > before);
    expect(letters).toHaveLength(before + 1);
    const letter = letters[letters.length - 1]!;
    expect(letter.stage).toBe('ingest');
    expect(letter.subject).toBe(topo.subjects.event('scan_added'));
    expect(letter.reason).toContain(`${field}:`);
    expect(letter.reason).toMatch(reason);
    expect(Buffer.from(letter.payload_base64, 'base64').toString('utf8')).toBe(payload);
    await waitFor(
      () => port.ids(),
      (ids) => ids.includes(next.id),
    );
    expect(port.ids()).toContain(next.id);
  });

  it('acknowledges everything: nothing is left pending on the gateway consumer', async () => {
    const info = await waitFor(
      async () => await (await js.consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable)).info(),
      (i) => i.num_pending === 0 && i.num_ack_pending === 0,
    );
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(0);
  });
});
