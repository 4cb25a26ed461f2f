/**
 * The scheduler against real NATS and PostgreSQL, with an injected clock: engagement reminders
 * fire once at the right time and never again (including DefectDojo's never-matching stale
 * query, as a regression), auto-close publishes the command, and scheduled events are released
 * once, survive a restart, and never when cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import type { Clock } from '../gateway/src/scheduler/clock.js';
import { SchedulerService } from '../gateway/src/scheduler/scheduler.service.js';
import { ApiClient } from './support/api-client.js';
import { TEST_ADMIN_TOKEN, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('sched');
const topo = topology({ prefix });
let nc: NatsConnection;
let js: JetStreamClient;
let db: TestDatabase;
let url: string;
let gateway: RunningGateway;
let api: ApiClient;

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceDays(days: number): void {
    this.advanceMs(days * 86_400_000);
  }
  advanceMs(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
const clock = new ManualClock(new Date('2030-06-10T09:00:00Z'));

const NEVER = '0 0 1 1 *';
const env = {
  HERALD_SCHEDULE_ENGAGEMENT_REMINDERS: NEVER,
  HERALD_SCHEDULE_ALERT_RETENTION: NEVER,
  HERALD_SCHEDULE_WEBHOOK_SWEEP: NEVER,
  HERALD_SCHEDULE_SCHEDULED_EVENTS: '* * * * * *',
  HERALD_AUTO_CLOSE_ENGAGEMENT_DAYS: '3',
};

async function start(): Promise<RunningGateway> {
  const g = await startGateway({ config: testGatewayConfig(url, prefix, db.url, env), logger: silentLogger, clock });
  api = new ApiClient(`http://127.0.0.1:${g.port}/api/v1`, TEST_ADMIN_TOKEN);
  return g;
}

async function eventIds(): Promise<string[]> {
  return (await readStream(nc, topo.streams.events.name)).map((m) => m.json<{ id: string }>().id);
}

async function deliveryIds(): Promise<string[]> {
  return (await readStream(nc, topo.streams.deliver.name)).map((m) => m.headers['Nats-Msg-Id'] ?? '');
}

function runReminders(): Promise<void> {
  return gateway.app.get(SchedulerService).tick('engagement-reminders');
}

beforeAll(async () => {
  url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  js = jetstream(nc);
  db = await createTestDatabase();
  gateway = await start();
  await api.expect(201, 'PUT', '/product-types/1', { name: 'Apps' });
  await api.expect(201, 'PUT', '/products/1', { name: 'Web', product_type_id: '1' });
  await api.expect(201, 'PUT', '/users/1', { username: 'lead', email: 'lead@example.com' });
  const engagement = (id: string, target_start: string, target_end: string, status: string) =>
    api.expect(201, 'PUT', `/engagements/${id}`, { name: `E${id}`, product_id: '1', lead: 'lead', target_start, target_end, status });
  await engagement('soon', '2030-06-12', '2030-06-30', 'not_started');
  await engagement('later', '2030-06-20', '2030-07-30', 'not_started');
  await engagement('stale', '2030-05-01', '2030-06-09', 'in_progress');
  await engagement('ends-today', '2030-05-01', '2030-06-10', 'in_progress');
  await engagement('overdue', '2030-04-01', '2030-06-06', 'in_progress');
  await engagement('done', '2030-04-01', '2030-05-01', 'completed');
});

afterAll(async () => {
  await gateway?.close();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('engagement reminders', () => {
  it('fires upcoming, stale and auto-close reminders once, for the right engagements', async () => {
    await runReminders();
    const ids = await waitFor(eventIds, (list) => list.length >= 4);
    expect(ids.sort()).toEqual(
      [
        'reminder:upcoming_engagement:soon',
        'reminder:stale_engagement:stale',
        'reminder:stale_engagement:overdue',
        'reminder:auto_close_engagement:overdue',
      ].sort(),
    );
    const commands = (await readStream(nc, topo.streams.commands.name)).map((m) => ({
      subject: m.subject,
      body: m.json<{ engagement_id: string }>(),
    }));
    expect(commands).toEqual([
      { subject: topo.subjects.command('engagement', 'close'), body: expect.objectContaining({ engagement_id: 'overdue' }) },
    ]);
    const delivered = await waitFor(deliveryIds, (list) => list.length >= 4);
    expect(delivered.sort()).toEqual(
      [
        'herald.scheduler:reminder%3Aupcoming_engagement%3Asoon:alert:user-1',
        'herald.scheduler:reminder%3Astale_engagement%3Astale:alert:user-1',
        'herald.scheduler:reminder%3Astale_engagement%3Aoverdue:alert:user-1',
        'herald.scheduler:reminder%3Aauto_close_engagement%3Aoverdue:alert:user-1',
      ].sort(),
    );
  });

  it('never fires the same reminder again, even after a restart', async () => {
    await runReminders();
    await gateway.close();
    gateway = await start();
    await runReminders();
    expect((await eventIds()).length).toBe(4);
  });

  it('fires the upcoming reminder when the start comes within 3 days', async () => {
    clock.advanceDays(8);
    await runReminders();
    const ids = await waitFor(eventIds, (list) => list.includes('reminder:upcoming_engagement:later'));
    expect(ids.filter((id) => id.startsWith('reminder:upcoming_engagement:'))).toHaveLength(2);
  });
});

describe('scheduled events', () => {
  const event = (id: string) => ({ specversion: '1.0', id, source: 'test', type: 'code_review', data: { recipients: ['lead'] } });

  it('holds an event until it is due, survives a restart and routes it once', async () => {
    const deliverAt = new Date(clock.now().getTime() + 60_000).toISOString();
    const created = await api.expect<{ id: string; state: string }>(201, 'POST', '/schedules', {
      idempotency_key: 'k1',
      deliver_at: deliverAt,
      event: event('later-1'),
    });
    expect(created.state).toBe('pending');
    const again = await api.expect<{ id: string }>(200, 'POST', '/schedules', {
      idempotency_key: 'k1',
      deliver_at: deliverAt,
      event: event('later-1'),
    });
    expect(again.id).toBe(created.id);
    await js.publish(
      topo.subjects.event('code_review'),
      JSON.stringify({ ...event('later-2'), data: { recipients: ['lead'], deliver_at: deliverAt } }),
    );
    const cancelled = await api.expect<{ id: string }>(201, 'POST', '/schedules', {
      idempotency_key: 'k3',
      deliver_at: deliverAt,
      event: event('never-1'),
    });
    await api.expect(204, 'DELETE', `/schedules/${cancelled.id}`);

    await gateway.close();
    expect(await deliveryIds()).not.toContain('test:later-1:alert:user-1');
    gateway = await start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await deliveryIds()).not.toContain('test:later-1:alert:user-1');
    clock.advanceMs(61_000);

    const delivered = await waitFor(
      deliveryIds,
      (list) => list.includes('test:later-1:alert:user-1') && list.includes('test:later-2:alert:user-1'),
      15_000,
    );
    expect(delivered.filter((id) => id === 'test:later-1:alert:user-1')).toHaveLength(1);
    expect(delivered.filter((id) => id === 'test:later-2:alert:user-1')).toHaveLength(1);
    const released = await api.expect<{ state: string }>(200, 'GET', `/schedules/${created.id}`);
    expect(released.state).toBe('released');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await deliveryIds()).not.toContain('never-1:alert:user-1');
    expect((await api.request('DELETE', `/schedules/${created.id}`)).status).toBe(409);
  }, 40_000);
});
