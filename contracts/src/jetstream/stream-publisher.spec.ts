/**
 * StreamPublisher against real JetStream: every outcome a `JetStreamClient.publish` has — the
 * PubAck, a duplicate, the stream's API error, no stream, no reply in time, a payload the server
 * refuses, a closed connection — and many publishes in flight at once on one reply subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { resolveNatsUrl, uniquePrefix } from '../testing/infrastructure.js';
import { StreamPublisher } from './stream-publisher.js';

const prefix = uniquePrefix('stream-publisher');
const stream = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
let url: string;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.s.>`], max_msg_size: 4_096, duplicate_window: 60_000_000_000 });
});
afterAll(async () => {
  await jsm.streams.delete(stream);
  await nc.close();
});

describe('StreamPublisher', () => {
  it('resolves with the PubAck, stores the headers with Nats-Msg-Id, and reports a duplicate id', async () => {
    const publisher = new StreamPublisher(nc);
    const h = natsHeaders();
    h.set('Herald-Event-Id', 'ev-1');
    const first = await publisher.publish(`${prefix}.s.a`, '{"n":1}', { msgID: 'm-1', headers: h });
    expect(first).toEqual({ stream, seq: expect.any(Number), duplicate: false });
    const again = await publisher.publish(`${prefix}.s.a`, '{"n":1}', { msgID: 'm-1', headers: natsHeaders() });
    expect(again).toEqual({ stream, seq: first.seq, duplicate: true });
    const stored = await jsm.streams.getMessage(stream, { seq: first.seq });
    expect(stored?.header.get('Nats-Msg-Id')).toBe('m-1');
    expect(stored?.header.get('Herald-Event-Id')).toBe('ev-1');
    expect(stored?.string()).toBe('{"n":1}');
    expect(publisher.inFlight).toBe(0);
    publisher.close();
  });

  it('settles 2 000 publishes in flight at once, each with its own sequence', async () => {
    const publisher = new StreamPublisher(nc);
    const acks = await Promise.all(
      Array.from({ length: 2_000 }, (_, i) =>
        publisher.publish(`${prefix}.s.many`, new TextEncoder().encode(`{"i":${i}}`), { msgID: `many-${i}` }),
      ),
    );
    expect(new Set(acks.map((a) => a.seq)).size).toBe(2_000);
    expect(acks.every((a) => a.stream === stream && !a.duplicate)).toBe(true);
    // in the order published: the i-th publish got the i-th sequence
    expect(acks.map((a) => a.seq)).toEqual([...acks.map((a) => a.seq)].sort((a, b) => a - b));
    expect(publisher.inFlight).toBe(0);
    publisher.close();
  });

  it('rejects with the JetStream API error when the stream refuses the message (10054: too large)', async () => {
    const publisher = new StreamPublisher(nc);
    const error = await publisher.publish(`${prefix}.s.big`, 'x'.repeat(8_192), { msgID: 'big' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'JetStreamApiError', code: 10054 });
    publisher.close();
  });

  it('rejects as no responders when no stream captures the subject', async () => {
    const publisher = new StreamPublisher(nc);
    const error = await publisher.publish(`${prefix}.nostream.x`, '{}', { msgID: 'lost' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).isNoResponders()).toBe(true);
    expect((error as Error).message).toContain(`${prefix}.nostream.x`);
    publisher.close();
  });

  it('times out a publish nobody answers, and forgets it', async () => {
    // a core subscriber on the subject: interest, so no "no responders", but never a reply
    const silent = nc.subscribe(`${prefix}.silent`);
    const publisher = new StreamPublisher(nc, 200);
    const started = performance.now();
    const error = await publisher.publish(`${prefix}.silent`, '{}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(publisher.inFlight).toBe(0);
    // the publisher still works afterwards
    await expect(publisher.publish(`${prefix}.s.after`, '{}')).resolves.toMatchObject({ stream });
    silent.unsubscribe();
    publisher.close();
  });

  it('rejects a payload over the server maximum without sending it', async () => {
    const publisher = new StreamPublisher(nc);
    const maxPayload = nc.info?.max_payload ?? 1_048_576;
    const error = await publisher.publish(`${prefix}.s.huge`, new Uint8Array(maxPayload + 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/max_payload|payload/i);
    expect(publisher.inFlight).toBe(0);
    publisher.close();
  });

  it('rejects what is pending when the connection closes, and every publish after', async () => {
    const own = await connect({ servers: url });
    const silent = own.subscribe(`${prefix}.silent2`);
    const publisher = new StreamPublisher(own, 30_000);
    const pending = publisher.publish(`${prefix}.silent2`, '{}').catch((e: unknown) => e);
    await own.flush();
    expect(publisher.inFlight).toBe(1);
    silent.unsubscribe();
    await own.close();
    const error = await pending;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toMatch(/Closed|Connection/);
    await expect(publisher.publish(`${prefix}.s.late`, '{}')).rejects.toThrow();
    expect(publisher.inFlight).toBe(0);
  });
});
