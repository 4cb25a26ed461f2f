/**
 * The gateway's NATS consumers are Nest microservice handlers: the JetStream transport connected to
 * the gateway's Nest app has exactly one `@EventPattern` handler per gateway durable, and a message
 * on each stream reaches its handler (events → routing; a bad directory change and a bad status →
 * dead letters with those handlers' own reasons; dead letters → recorded by the dead-letter handler).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology, type DeadLetter } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { JetStreamTransport } from '../gateway/src/messaging/jetstream.transport.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayConfig } from './support/gateway-config.js';
import { RecordingPort } from './support/recording-port.js';

const prefix = uniquePrefix('gwms');
const topo = topology({ prefix });
let nc: NatsConnection;
let js: JetStreamClient;
let gateway: RunningGateway;
let db: TestDatabase;
const port = new RecordingPort();

const envelope = (id: string, data: Record<string, unknown>) => JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'x', data });

async function deadLetters(subject: string): Promise<DeadLetter[]> {
  return (await readStream(nc, topo.streams.dead.name, subject)).map((m) => m.json<DeadLetter>());
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  gateway = await startGateway({ config: testGatewayConfig(url, prefix, db.url), logger: silentLogger, routingPort: port, listen: false });
});

afterAll(async () => {
  await gateway?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('gateway consumers as Nest microservice handlers', () => {
  it('connects one JetStream transport whose event patterns are exactly the gateway durables', () => {
    expect(gateway.app.getMicroservices()).toHaveLength(1);
    const handlers = gateway.app.get(JetStreamTransport).getHandlers();
    const durables = [topo.gatewayConsumer, topo.directoryConsumer, topo.statusConsumer, topo.deadConsumer].map((c) => c.durable);
    expect([...handlers.keys()].sort()).toEqual(durables.sort());
    for (const handler of handlers.values()) expect(handler.isEventHandler).toBe(true);
  });

  it('routes an event through the @EventPattern(gateway) handler', async () => {
    const event = { specversion: '1.0', id: 'ms-evt-1', source: 'test', type: 'scan_added', data: { product: { id: '1', name: 'Web' } } };
    await js.publish(topo.subjects.event('scan_added'), JSON.stringify(event));
    const ids = await waitFor(
      () => port.ids(),
      (i) => i.includes(event.id),
    );
    expect(ids).toEqual([event.id]);
  });

  it('dead-letters a bad directory change and a bad status with their handlers’ reasons; the dead-letter handler records both', async () => {
    await js.publish(topo.subjects.directory('widget', 'upserted'), envelope('ms-dir-1', { id: 'w1' }));
    await js.publish(topo.subjects.status('mail'), JSON.stringify({ delivery_id: 'only-this' }));
    const directorySubject = topo.subjects.dead('ingest', topo.directoryConsumer.durable);
    const statusSubject = topo.subjects.dead('ingest', topo.statusConsumer.durable);
    const [directoryLetter] = await waitFor(
      () => deadLetters(directorySubject),
      (l) => l.length > 0,
    );
    const [statusLetter] = await waitFor(
      () => deadLetters(statusSubject),
      (l) => l.length > 0,
    );
    expect(directoryLetter?.reason).toBe(
      'unknown directory event widget.upserted; expected user|product_type|product|engagement .upserted|.deleted, or member.added|member.removed',
    );
    expect(directoryLetter?.event_id).toBe('ms-dir-1');
    expect(statusLetter?.reason).toMatch(/^invalid delivery status: /);
    const recorded = await waitFor(
      () => db.query<{ subject: string; reason: string }>('select subject, reason from gateway.dead_letters order by subject'),
      (rows) => rows.length >= 2,
    );
    expect(recorded).toEqual(
      [
        { subject: topo.subjects.directory('widget', 'upserted'), reason: directoryLetter!.reason },
        { subject: topo.subjects.status('mail'), reason: statusLetter!.reason },
      ].sort((a, b) => a.subject.localeCompare(b.subject)),
    );
  });
});
