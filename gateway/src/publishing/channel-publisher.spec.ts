import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureStreams, parseEvent, topology, type HeraldEvent, type Topology } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import type { PlannedDelivery } from '../routing/index.js';
import { ChannelPublisher } from './channel-publisher.js';

let nc: NatsConnection;
let topo: Topology;

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
});

afterAll(async () => {
  await deleteTopology(nc, topo);
  await nc.close();
});

describe('ChannelPublisher', () => {
  it('streams a broadcast larger than its window: every message stored once, a republish only duplicates', async () => {
    const publisher = new ChannelPublisher(jetstream(nc), topo.subjects, 8);
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

  it('rejects when a publish fails (the event is retried, never acknowledged)', async () => {
    const publisher = new ChannelPublisher(jetstream(nc, { timeout: 500 }), topology({ prefix: uniquePrefix('t_nostream') }).subjects, 4);
    await expect(publisher.publish(event('lost'), 'Engagement Added', deliveries('lost', 10))).rejects.toThrow();
  });
});
