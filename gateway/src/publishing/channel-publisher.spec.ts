import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureStreams, parseEvent, StreamPublisher, topology, type HeraldEvent, type Topology } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import type { PlannedDelivery } from '../routing/index.js';
import { ChannelPublisher, type StreamPublish } from './channel-publisher.js';

let nc: NatsConnection;
let topo: Topology;
/** What the gateway publishes channel messages with (`MessagingService.publisher`). */
let streams: StreamPublisher;

function event(id: string): HeraldEvent {
  const parsed = parseEvent(
    Buffer.from(JSON.stringify({ specversion: '1.0', id, source: 'spec', type: 'engagement_added', data: { title: 'Broadcast' } })),
    { maxBytes: 1024 * 1024, now: new Date() },
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.event;
}

function deliveries(eventId: string, count: number): PlannedDelivery[] {
  return Array.from({ length: count }, (_, i) => ({
    delivery_id: `${eventId}:alert:user-${i}`,
    channel: 'alert',
    destination: { scope: 'personal', user: { id: String(i), username: `u${i}`, email: `u${i}@example.org`, full_name: `U ${i}` } },
    site_url: 'http://localhost:8080',
  }));
}

beforeAll(async () => {
  nc = await connect({ servers: await resolveNatsUrl() });
  topo = topology({ prefix: uniquePrefix('t_pub') });
  await ensureStreams(await jetstreamManager(nc), topo);
  streams = new StreamPublisher(nc);
});

afterAll(async () => {
  streams.close();
  await deleteTopology(nc, topo);
  await nc.close();
});

describe('ChannelPublisher', () => {
  it('streams a broadcast larger than its window: every message stored once, a republish only duplicates', async () => {
    const publisher = new ChannelPublisher(streams, topo.subjects, 8);
    const planned = deliveries('big', 53); // several windows and a partial last one
    expect(await publisher.publish(event('big'), 'Engagement Added', planned)).toEqual({ published: 53, duplicates: 0 });
    const stored = await readStream(nc, topo.streams.deliver.name);
    expect(stored.map((m) => m.headers['Nats-Msg-Id']).sort()).toEqual(planned.map((d) => d.delivery_id).sort());
    expect(stored[0]?.json<{ event: { id: string }; event_label: string }>()).toMatchObject({
      event: { id: 'big' },
      event_label: 'Engagement Added',
    });
    expect(await publisher.publish(event('big'), 'Engagement Added', planned)).toEqual({ published: 0, duplicates: 53 });
  });

  it('writes each message as the whole channel message, multi-byte text included', async () => {
    const publisher = new ChannelPublisher(streams, topo.subjects);
    const sent = event('utf8');
    const planned: PlannedDelivery[] = [
      {
        delivery_id: 'utf8:mail:user-z',
        channel: 'mail',
        destination: { scope: 'personal', user: { id: 'z', username: 'zoë', email: 'zoe@example.org', full_name: 'Zoë 🚀 Ünal' } },
        site_url: 'http://localhost:8080',
      },
      { delivery_id: 'utf8:slack:system', channel: 'slack', destination: { scope: 'system' }, site_url: 'http://localhost:8080' },
    ];
    const unsubscribe = (d: PlannedDelivery) => (d.channel === 'mail' ? 'http://localhost:8080/u/ä?t=1' : undefined);
    expect(await publisher.publish(sent, 'Engagement Added — “ünïcode” ✓', planned, unsubscribe)).toEqual({ published: 2, duplicates: 0 });
    const stored = (await readStream(nc, topo.streams.deliver.name)).filter((m) => m.headers['Nats-Msg-Id']?.startsWith('utf8:'));
    const bodies = stored
      .map((m) => m.json<Record<string, unknown>>())
      .sort((a, b) => String(a['delivery_id']).localeCompare(String(b['delivery_id'])));
    expect(bodies).toEqual([
      { ...planned[0], unsubscribe_url: 'http://localhost:8080/u/ä?t=1', event_label: 'Engagement Added — “ünïcode” ✓', event: sent },
      { ...planned[1], event_label: 'Engagement Added — “ünïcode” ✓', event: sent },
    ]);
    expect(stored.map((m) => [m.headers['Nats-Msg-Id'], m.headers['Herald-Event-Id']]).sort()).toEqual([
      ['utf8:mail:user-z', 'utf8'],
      ['utf8:slack:system', 'utf8'],
    ]);
  });

  it('reads an iterable as its window frees up: never more than the window read ahead of the stored messages', async () => {
    // the real publisher, counting its publishes in flight
    let inFlight = 0;
    let maxInFlight = 0;
    let settled = 0;
    const counting: StreamPublish = {
      publish: async (...args) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await streams.publish(...args);
        } finally {
          inFlight--;
          settled++;
        }
      },
    };
    const publisher = new ChannelPublisher(counting, topo.subjects, 8);
    const planned = deliveries('lazy', 41);
    let maxAhead = 0;
    function* source(): Generator<PlannedDelivery> {
      for (let read = 1; read <= planned.length; read++) {
        maxAhead = Math.max(maxAhead, read - settled);
        yield planned[read - 1]!;
      }
    }
    expect(await publisher.publish(event('lazy'), 'Engagement Added', source())).toEqual({ published: 41, duplicates: 0 });
    expect(maxInFlight).toBe(8);
    expect(maxAhead).toBeLessThanOrEqual(8);
    const stored = (await readStream(nc, topo.streams.deliver.name)).filter((m) => m.headers['Nats-Msg-Id']?.startsWith('lazy:'));
    expect(stored.map((m) => m.headers['Nats-Msg-Id']).sort()).toEqual(planned.map((d) => d.delivery_id).sort());
  });

  it('rejects with the error an iterable throws while it is read', async () => {
    const publisher = new ChannelPublisher(streams, topo.subjects, 4);
    function* failing(): Generator<PlannedDelivery> {
      yield* deliveries('broken', 10);
      throw new Error('planning failed');
    }
    await expect(publisher.publish(event('broken'), 'Engagement Added', failing())).rejects.toThrow('planning failed');
  });

  it('rejects when a publish fails (the event is retried, never acknowledged)', async () => {
    const publisher = new ChannelPublisher(streams, topology({ prefix: uniquePrefix('t_nostream') }).subjects, 4);
    await expect(publisher.publish(event('lost'), 'Engagement Added', deliveries('lost', 10))).rejects.toThrow(
      /no stream captures .*t_nostream.*deliver\.alert/,
    );
  });
});
