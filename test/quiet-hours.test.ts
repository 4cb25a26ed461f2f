/**
 * Quiet hours and digests (SPEC §3.6) through a running gateway on real NATS JetStream and
 * PostgreSQL, with an injected clock: a delivery made during a user's quiet window is held, then
 * published at the window's end under its own delivery id (alerts go at once); deliveries of a
 * digested (column, channel) go as one digest message when due, once, with every item; an empty
 * window sends nothing; the simulation shows what a real publish then delivers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jsonLogger, topology, type ChannelMessage } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import type { Clock } from '../gateway/src/scheduler/clock.js';
import { HeldDeliveriesRepository, type DueDigest } from '../gateway/src/publishing/held-deliveries.repository.js';
import { digestMessage } from '../gateway/src/scheduler/held-deliveries.job.js';
import { SchedulerService } from '../gateway/src/scheduler/scheduler.service.js';
import type { SimulationResult } from '../gateway/src/simulation/restrict.js';
import { ApiClient } from './support/api-client.js';
import { registerBuiltinChannels } from './support/builtin-registrations.js';
import { TEST_ADMIN_TOKEN, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('quiet');
const topo = topology({ prefix });
let registrations: { stop(): Promise<void> } | undefined;
let nc: NatsConnection;
let js: JetStreamClient;
let db: TestDatabase;
let gateway: RunningGateway;
let api: ApiClient;
const routed: string[] = [];

/** A clock the test moves by hand; routing, simulation and the scheduler all read it. */
class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}
// Monday 2030-06-10, 23:30 in Berlin (CEST, UTC+2)
const clock = new ManualClock(new Date('2030-06-10T21:30:00Z'));
const NEVER = '0 0 1 1 *';

function event(id: string, title: string) {
  return { specversion: '1.0', id, source: 'test', type: 'scan_added', data: { title, product: { id: '7', name: 'Web' } } };
}

interface Stored {
  readonly id: string;
  readonly message: ChannelMessage;
}

async function deliveries(): Promise<Stored[]> {
  return (await readStream(nc, topo.streams.deliver.name)).map((m) => ({
    id: m.headers['Nats-Msg-Id'] ?? '',
    message: m.json<ChannelMessage>(),
  }));
}

async function publishAndWait(e: ReturnType<typeof event>): Promise<void> {
  await js.publish(topo.subjects.event(e.type), JSON.stringify(e), { msgID: e.id });
  await waitFor(
    () => routed,
    (ids) => ids.includes(e.id),
    10_000,
  );
}

/** delivery id → outcome in the delivery log, for one event. */
async function outcomes(eventId: string): Promise<Record<string, string>> {
  const page = await api.expect<{ items: Array<{ delivery_id: string; outcome: string }> }>(200, 'GET', `/deliveries?event_id=${eventId}`);
  return Object.fromEntries(page.items.map((item) => [item.delivery_id, item.outcome]));
}

function release(): Promise<void> {
  return gateway.app.get(SchedulerService).tick('held-deliveries');
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  registrations = await registerBuiltinChannels(nc, prefix);
  gateway = await startGateway({
    config: testGatewayConfig(url, prefix, db.url, {
      HERALD_SCHEDULE_ENGAGEMENT_REMINDERS: NEVER,
      HERALD_SCHEDULE_ALERT_RETENTION: NEVER,
      HERALD_SCHEDULE_WEBHOOK_SWEEP: NEVER,
      HERALD_SCHEDULE_SCHEDULED_EVENTS: NEVER,
      // released by hand below, at the times the test sets
      HERALD_SCHEDULE_HELD_DELIVERIES: NEVER,
    }),
    clock,
    logger: jsonLogger({
      level: 'info',
      write: (line) => {
        const entry = JSON.parse(line) as { msg: string; event_id?: string };
        if (entry.msg === 'event routed' && entry.event_id) routed.push(entry.event_id);
      },
    }),
  });
  api = new ApiClient(`http://127.0.0.1:${gateway.port}/api/v1`, TEST_ADMIN_TOKEN);
  await api.expect(201, 'PUT', '/product-types/1', { name: 'Apps' });
  await api.expect(201, 'PUT', '/products/7', { name: 'Web', product_type_id: '1' });
  for (const [id, username] of [
    ['2', 'bob'],
    ['3', 'carol'],
  ] as const) {
    await api.expect(201, 'PUT', `/users/${id}`, { username, email: `${username}@example.com`, full_name: username });
    await api.expect(200, 'PUT', `/products/7/members/${id}`, {});
  }
  await api.expect(200, 'PUT', '/channels/slack/config', { enabled: true, settings: { token: 'xoxb-test', channel: '#herald' } });
  await api.expect(200, 'PUT', '/settings/system', { events: { scan_added: [] } });
  // bob: quiet from 22:00 to 07:00 Berlin time, every day; carol: an hourly Slack digest (UTC)
  await api.expect(200, 'PATCH', '/users/2/settings', {
    events: { scan_added: ['alert', 'slack'] },
    quiet_hours: {
      timezone: 'Europe/Berlin',
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '22:00', end: '07:00' }],
    },
  });
  await api.expect(200, 'PATCH', '/users/3/settings', {
    events: { scan_added: ['alert', 'slack'] },
    digests: { scan_added: { slack: 'hourly' } },
  });
});

afterAll(async () => {
  await gateway?.close();
  await registrations?.stop();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('quiet hours and digests through a running gateway', () => {
  it('rejects an unknown time zone with a 400 naming the field', async () => {
    const response = await api.request('PATCH', '/users/2/settings', {
      events: {},
      quiet_hours: { timezone: 'Europe/Atlantis', windows: [] },
    });
    expect(response.status).toBe(400);
    const body = response.body as { error: { details: Array<{ path: string; message: string }> } };
    expect(body.error.details).toEqual([
      expect.objectContaining({
        path: 'quiet_hours.timezone',
        message: 'unknown time zone "Europe/Atlantis": use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC"',
      }),
    ]);
    const settings = await api.expect<{ quiet_hours: { timezone: string } }>(200, 'GET', '/users/2/settings');
    expect(settings.quiet_hours.timezone).toBe('Europe/Berlin');
  });

  it('holds the quiet user’s Slack message until 07:00 Berlin and the digest until the hour, as simulated; alerts go at once', async () => {
    const simulated = await api.expect<SimulationResult>(200, 'POST', '/events/simulate', { event: event('q-1', 'First finding') });
    expect(simulated.deliveries.map((d) => [d.delivery_id, d.hold?.kind ?? 'now', d.hold?.release_at ?? null])).toEqual([
      ['test:q-1:alert:user-2', 'now', null],
      ['test:q-1:slack:user-2', 'quiet_hours', '2030-06-11T05:00:00.000Z'],
      ['test:q-1:alert:user-3', 'now', null],
      ['test:q-1:slack:user-3', 'digest', '2030-06-10T22:00:00.000Z'],
    ]);

    await publishAndWait(event('q-1', 'First finding'));
    await publishAndWait(event('q-2', 'Second finding'));
    const recorded = await api.expect<{ decisions: unknown }>(200, 'GET', '/events/q-1/decisions');
    expect(recorded.decisions).toEqual(simulated.decisions);
    expect(recorded.decisions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          username: 'bob',
          channels: ['alert', 'slack'],
          held: [
            { channel: 'slack', kind: 'quiet_hours', release_at: '2030-06-11T05:00:00.000Z', reason: 'deferred until 07:00 Europe/Berlin' },
          ],
        }),
        expect.objectContaining({
          username: 'carol',
          held: [
            {
              channel: 'slack',
              kind: 'digest',
              release_at: '2030-06-10T22:00:00.000Z',
              reason: 'collected into the hourly digest due at 22:00 UTC',
            },
          ],
        }),
      ]),
    );
    // the delivery log shows the held ones as held
    expect(await outcomes('q-1')).toEqual({
      'test:q-1:alert:user-2': 'published',
      'test:q-1:alert:user-3': 'published',
      'test:q-1:slack:user-2': 'held',
      'test:q-1:slack:user-3': 'held',
    });
    // only the alerts are published now; nothing is due yet
    await release();
    expect((await deliveries()).map((d) => d.id).sort()).toEqual([
      'test:q-1:alert:user-2',
      'test:q-1:alert:user-3',
      'test:q-2:alert:user-2',
      'test:q-2:alert:user-3',
    ]);
  });

  it('sends carol’s digest once at 22:00 with both items, and nothing for an empty window', async () => {
    clock.set('2030-06-10T22:00:00Z');
    await release();
    await release();
    const digests = (await deliveries()).filter((d) => d.message.digest !== undefined);
    expect(digests.map((d) => d.id)).toEqual(['digest:3:slack:scan_added:2030-06-10T22:00:00Z']);
    const message = digests[0]?.message as ChannelMessage;
    expect(message.channel).toBe('slack');
    expect(message.destination).toEqual({
      scope: 'personal',
      user: { id: '3', username: 'carol', email: 'carol@example.com', full_name: 'carol' },
    });
    expect(message.event.data.title).toBe('2 Scan Added notifications (hourly digest)');
    expect(message.digest?.items.map((item) => [item.delivery_id, item.event.data.title])).toEqual([
      ['test:q-1:slack:user-3', 'First finding'],
      ['test:q-2:slack:user-3', 'Second finding'],
    ]);
    expect(message.digest).toMatchObject({
      schedule: 'hourly',
      column: 'scan_added',
      window_start: '2030-06-10T21:00:00.000Z',
      window_end: '2030-06-10T22:00:00.000Z',
    });
    // bob is still in his quiet window
    expect((await deliveries()).some((d) => d.id.startsWith('test:q-1:slack:user-2'))).toBe(false);

    // the next window (22:00–23:00) is empty: nothing goes at 23:00
    clock.set('2030-06-10T23:00:00Z');
    await release();
    expect((await deliveries()).filter((d) => d.message.digest !== undefined)).toHaveLength(1);
  });

  it('publishes bob’s deferred Slack messages at 07:00 Berlin under their own delivery ids, once', async () => {
    clock.set('2030-06-11T04:59:59Z');
    await release();
    expect((await deliveries()).some((d) => d.id === 'test:q-1:slack:user-2')).toBe(false);
    clock.set('2030-06-11T05:00:00Z');
    await release();
    await release();
    const released = (await deliveries()).filter((d) => d.id.includes(':slack:user-2'));
    expect(released.map((d) => d.id)).toEqual(['test:q-1:slack:user-2', 'test:q-2:slack:user-2']);
    expect(released[0]?.message.event.data.title).toBe('First finding');
    expect(released[0]?.message.event_label).toBe('Scan Added');
    // released: the delivery log says published (the digest's items too)
    expect(await outcomes('q-1')).toEqual({
      'test:q-1:alert:user-2': 'published',
      'test:q-1:alert:user-3': 'published',
      'test:q-1:slack:user-2': 'published',
      'test:q-1:slack:user-3': 'published',
    });
    // every simulated delivery of q-1 has now been delivered, and nothing else for it
    const all = (await deliveries()).map((d) => d.id).filter((id) => id.startsWith('test:q-1:'));
    expect(all.sort()).toEqual(['test:q-1:alert:user-2', 'test:q-1:alert:user-3', 'test:q-1:slack:user-2']);
  });

  it('sends at once outside the window', async () => {
    clock.set('2030-06-11T10:00:00Z');
    await api.expect(200, 'PATCH', '/users/3/settings', { events: {}, digests: { scan_added: null } });
    await waitFor(
      async () => (await api.expect<SimulationResult>(200, 'POST', '/events/simulate', { event: event('q-3', 'Third') })).deliveries,
      (list) => list.every((d) => d.hold === undefined),
      10_000,
    );
    await publishAndWait(event('q-3', 'Third'));
    const ids = (await deliveries()).map((d) => d.id).filter((id) => id.startsWith('test:q-3:'));
    expect(ids.sort()).toEqual(['test:q-3:alert:user-2', 'test:q-3:alert:user-3', 'test:q-3:slack:user-2', 'test:q-3:slack:user-3']);
  });

  it('a crash between publishing a digest and marking it sent leads to a de-duplicated re-publish, not a second digest', async () => {
    await api.expect(200, 'PATCH', '/users/3/settings', { events: {}, digests: { scan_added: { slack: 'hourly' } } });
    await waitFor(
      async () => (await api.expect<SimulationResult>(200, 'POST', '/events/simulate', { event: event('q-4', 'Fourth') })).deliveries,
      (list) => list.some((d) => d.hold?.kind === 'digest'),
      10_000,
    );
    await publishAndWait(event('q-4', 'Fourth'));
    clock.set('2030-06-11T11:00:00Z');
    // what the leader did before it died: claimed the window and published the digest, no more
    const held = gateway.app.get(HeldDeliveriesRepository);
    expect(await held.claimDigests(clock.now())).toBe(1);
    const [pending] = await held.pendingDigests();
    const message = digestMessage(pending as DueDigest);
    await js.publish(topo.subjects.deliver('slack'), JSON.stringify(message), { msgID: message.delivery_id });
    // the next leader's tick publishes it again under the same id and marks it sent
    await release();
    expect(await held.pendingDigests()).toEqual([]);
    const digests = (await deliveries()).filter((d) => d.id.endsWith(':2030-06-11T11:00:00Z'));
    expect(digests.map((d) => d.id)).toEqual(['digest:3:slack:scan_added:2030-06-11T11:00:00Z']);
    expect(digests[0]?.message.digest?.items.map((item) => item.delivery_id)).toEqual(['test:q-4:slack:user-3']);
  });
});
