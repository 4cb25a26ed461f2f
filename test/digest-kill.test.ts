/**
 * SPEC §3.6: exactly one digest per window, nothing lost, with two gateway replicas and a
 * `kill -9` mid-window. Two real gateway processes, on a clock shifted so that an hourly window
 * ends about 30 s into the test, route events for carol (alert at once, Slack into her hourly
 * digest); the scheduler's leader is killed before the window ends, more events arrive, and the
 * survivor takes the lease over and sends the window's digest: one message, every item once, no
 * Slack message sent on its own, and still one after a few more release ticks.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology, type ChannelMessage } from '@herald/contracts';
import { deleteTopology, readStream, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { ApiClient } from './support/api-client.js';
import { registerBuiltinChannels } from './support/builtin-registrations.js';
import { TEST_ADMIN_TOKEN, testGatewayEnv } from './support/gateway-config.js';
import { killAll, REPO_ROOT, startNode, waitForOutput, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('digestkill');
const topo = topology({ prefix });
const WINDOW_END = '2030-06-10T22:00:00Z';
/** Real time from the test's start to the window's end. */
const LEAD_MS = 30_000;
const BATCH = 10;
/** How long after the window's end the survivor has to send the digest (lease 2 s, release tick 1 s). */
const DIGEST_GRACE_MS = 20_000;
jest.setTimeout(LEAD_MS + DIGEST_GRACE_MS + 30_000);
let nc: NatsConnection;
let db: TestDatabase;
let registrations: { stop(): Promise<void> } | undefined;
const children: ChildHandle[] = [];
let windowEndsAt = 0;
/** The scenario's steps with their times; printed with both replicas' last lines if it does not finish. */
const trace: string[] = [];
let finished = false;
const step = (name: string) => trace.push(`${new Date().toISOString()} (window ends in ${windowEndsAt - Date.now()} ms) ${name}`);

const routedCount = (child: ChildHandle): number => (child.output().match(/"event routed"/g) ?? []).length;
const releaseRuns = (child: ChildHandle): number =>
  child
    .output()
    .split('\n')
    .filter((line) => line.includes('"scheduler job ran"') && line.includes('"held-deliveries"')).length;

async function stored(): Promise<Array<{ id: string; message: ChannelMessage }>> {
  return (await readStream(nc, topo.streams.deliver.name)).map((m) => ({
    id: m.headers['Nats-Msg-Id'] ?? '',
    message: m.json<ChannelMessage>(),
  }));
}

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  if (!existsSync(resolve(REPO_ROOT, 'gateway/dist/main.js')))
    throw new Error('gateway/dist is missing: run `npm run build` first (npm test does it)');
  registrations = await registerBuiltinChannels(nc, prefix);
  windowEndsAt = Date.now() + LEAD_MS;
  const env = testGatewayEnv(url, prefix, db.url, {
    HERALD_LOG_LEVEL: 'info',
    HERALD_SCHEDULER_LEASE_MS: '2000',
    HERALD_SCHEDULE_HELD_DELIVERIES: '* * * * * *',
    HERALD_SCHEDULE_SCHEDULED_EVENTS: '0 0 1 1 *',
    HERALD_SCHEDULE_ENGAGEMENT_REMINDERS: '0 0 1 1 *',
    HERALD_SCHEDULE_ALERT_RETENTION: '0 0 1 1 *',
    HERALD_SCHEDULE_WEBHOOK_SWEEP: '0 0 1 1 *',
    HERALD_TEST_CLOCK_OFFSET_MS: String(Date.parse(WINDOW_END) - windowEndsAt),
  });
  for (let i = 0; i < 2; i++) children.push(startNode('test/support/clocked-gateway.mjs', env));
  for (const child of children) await waitForOutput(child, (out) => out.includes('gateway started'));
  step('both replicas started');
});

afterAll(async () => {
  if (!finished) {
    // Jest's timeout says nothing of where the scenario stood: say it
    const tail = (child: ChildHandle | undefined) => (child?.output() ?? '').split('\n').slice(-40).join('\n');
    process.stderr.write(
      `digest-kill did not finish; steps:\n${trace.join('\n')}\n--- first replica:\n${tail(children[0])}\n--- second replica:\n${tail(children[1])}\n`,
    );
  }
  await killAll(children);
  await registrations?.stop();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('a digest across a replica kill', () => {
  it('sends exactly one digest for the window with every item, after the leader is killed mid-window', async () => {
    const [first, second] = children as [ChildHandle, ChildHandle];
    const port = /"http_port":(\d+)/.exec(first.output())?.[1] ?? '';
    const api = new ApiClient(`http://127.0.0.1:${port}/api/v1`, TEST_ADMIN_TOKEN);
    step('setting carol up');
    await api.expect(201, 'PUT', '/users/3', { username: 'carol', email: 'carol@example.com', full_name: 'Carol' });
    await api.expect(200, 'PUT', '/channels/slack/config', { enabled: true, settings: { token: 'xoxb-test', channel: '#herald' } });
    await api.expect(200, 'PATCH', '/users/3/settings', {
      events: { code_review: ['alert', 'slack'] },
      digests: { code_review: { slack: 'hourly' } },
    });

    const js = jetstream(nc);
    const publish = async (from: number) => {
      for (let i = from; i < from + BATCH; i++) {
        const id = `d-${i}`;
        await js.publish(
          topo.subjects.event('code_review'),
          JSON.stringify({
            specversion: '1.0',
            id,
            source: 'test',
            type: 'code_review',
            data: { title: `Review ${i}`, recipients: ['carol'] },
          }),
          { msgID: id },
        );
      }
    };
    // both replicas see the settings (snapshot invalidation) before the events arrive
    step('settings stored; simulating until they apply');
    await waitFor(
      async () =>
        (
          await api.request<{ deliveries: Array<{ hold?: unknown }> }>('POST', '/events/simulate', {
            event: { specversion: '1.0', id: 'probe', source: 'test', type: 'code_review', data: { recipients: ['carol'] } },
          })
        ).body,
      (body) => body.deliveries.some((d) => d.hold !== undefined),
      10_000,
    );
    step('publishing the first batch');
    await publish(0);
    await waitForOutput(first, () => routedCount(first) + routedCount(second) >= BATCH, 15_000);

    // kill the scheduler's leader mid-window
    step('first batch routed');
    await waitForOutput(first, () => releaseRuns(first) + releaseRuns(second) > 0, 10_000);
    const leader = releaseRuns(first) > 0 ? first : second;
    const survivor = leader === first ? second : first;
    expect(Date.now()).toBeLessThan(windowEndsAt);
    leader.child.kill('SIGKILL');
    await leader.exited;
    step(`leader killed (${leader === first ? 'first' : 'second'} replica); publishing the second batch`);
    await publish(BATCH);
    await waitForOutput(survivor, () => routedCount(survivor) >= BATCH, 15_000);
    expect(Date.now()).toBeLessThan(windowEndsAt);

    // the survivor sends the digest once the window has ended
    step('second batch routed; waiting for the digest');
    const digests = await waitFor(
      async () => (await stored()).filter((d) => d.message.digest !== undefined),
      (list) => list.length > 0,
      Math.max(0, windowEndsAt + DIGEST_GRACE_MS - Date.now()),
    );
    step(`digests seen: ${digests.length}`);
    await new Promise((r) => setTimeout(r, 3_000)); // a few more release ticks
    const all = await stored();
    const final = all.filter((d) => d.message.digest !== undefined);
    expect(final.map((d) => d.id)).toEqual(['digest:3:slack:code_review:2030-06-10T22:00:00Z']);
    expect(final).toHaveLength(digests.length);
    const items = final[0]?.message.digest?.items.map((item) => item.delivery_id) ?? [];
    const expected = Array.from({ length: 2 * BATCH }, (_, i) => `test:d-${i}:slack:user-3`);
    expect([...items].sort()).toEqual([...expected].sort());
    expect(new Set(items).size).toBe(items.length);
    // no Slack message went on its own; every alert went at once, once
    expect(all.filter((d) => d.message.digest === undefined && d.message.channel === 'slack')).toEqual([]);
    // it was the survivor, after taking the lease over, that sent it
    expect(survivor.output()).toContain('"digest sent"');
    const alerts = all.filter((d) => d.message.channel === 'alert').map((d) => d.id);
    expect(alerts.sort()).toEqual(Array.from({ length: 2 * BATCH }, (_, i) => `test:d-${i}:alert:user-3`).sort());
    finished = true;
  });
});
