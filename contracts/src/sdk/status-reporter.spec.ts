/**
 * StatusReporter against real JetStream: statuses ready together share one stored message (a batch
 * the gateway's decoder reads back in order), a lone status goes alone in SPEC §2.4's form, a batch
 * closes at its bounds, and a failed publish rejects every status it held.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { decodeStatusReport, MAX_STATUSES_PER_REPORT, statusMessageId, type DeliveryStatus } from '../delivery-status.js';
import { ensureStreams } from '../jetstream/provision.js';
import { deleteTopology, readStream, type StoredMessage } from '../testing/jetstream.js';
import { resolveNatsUrl, uniquePrefix } from '../testing/infrastructure.js';
import { deliveryStatusFixture } from '../testing/status-fixtures.js';
import { topology } from '../topology.js';
import { MAX_REPORT_BYTES, StatusReporter } from './status-reporter.js';

const topo = topology({ prefix: uniquePrefix('status-reporter') });
let nc: NatsConnection;
let run = 0;

beforeAll(async () => {
  nc = await connect({ servers: await resolveNatsUrl() });
  await ensureStreams(await jetstreamManager(nc), topo);
});
afterAll(async () => {
  await deleteTopology(nc, topo);
  await nc.close();
});

/** A reporter publishing to a subject of its own (one per test), and what that subject holds. */
function reporterFor(options: { lingerMs?: number; maxWaiting: number }): {
  reporter: StatusReporter;
  stored: () => Promise<StoredMessage[]>;
  publishes: () => number;
} {
  const subject = topo.subjects.status(`t${++run}`);
  const js = jetstream(nc);
  let publishes = 0;
  const reporter = new StatusReporter((payload, msgID) => {
    publishes++;
    return js.publish(subject, payload, { msgID });
  }, options);
  return { reporter, stored: () => readStream(nc, topo.streams.status.name, subject), publishes: () => publishes };
}

const status = deliveryStatusFixture;

const statusesOf = (messages: readonly StoredMessage[]): DeliveryStatus[][] =>
  messages.map((m) => {
    const report = decodeStatusReport(m.json());
    if (!report.ok) throw new Error(`stored report does not decode: ${report.error.message}`);
    return [...report.statuses];
  });

describe('StatusReporter', () => {
  it('stores statuses reported together as one batch, in order, each resolved only once it is stored', async () => {
    // the wait (300 ms) outlasts the check below by far: reading the stream back takes tens of ms on a loaded machine
    const { reporter, stored, publishes } = reporterFor({ lingerMs: 300, maxWaiting: 8 });
    const all = [status(1), status(2, { outcome: 'retrying', detail: 'HTTP 503', retry_in_ms: 1000 }), status(3)];
    let resolved = 0;
    const reports = all.map((s) => reporter.report(s).then(() => resolved++));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ resolved, publishes: publishes(), stored: (await stored()).length }).toEqual({ resolved: 0, publishes: 0, stored: 0 });
    await Promise.all(reports);
    const messages = await stored();
    expect(statusesOf(messages)).toEqual([all]);
    expect(messages[0]!.json()).toEqual({ statuses: all });
    expect(messages[0]!.headers['Nats-Msg-Id']).toMatch(/^batch:[A-Za-z0-9_-]{43}$/);
    expect(publishes()).toBe(1);
  });

  it('stores a lone status alone, as SPEC §2.4 has it, with its own message id, after the wait', async () => {
    const { reporter, stored } = reporterFor({ lingerMs: 30, maxWaiting: 8 });
    const started = performance.now();
    await reporter.report(status(7));
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    const messages = await stored();
    expect(messages.map((m) => m.json())).toEqual([status(7)]);
    expect(messages[0]!.headers['Nats-Msg-Id']).toBe(statusMessageId(status(7)));
  });

  it('sends at once when maxWaiting statuses wait, without waiting for the timer', async () => {
    const { reporter, stored } = reporterFor({ lingerMs: 60_000, maxWaiting: 3 });
    await Promise.all([1, 2, 3].map((n) => reporter.report(status(n))));
    const pending = reporter.report(status(4));
    expect(statusesOf(await stored())).toEqual([[status(1), status(2), status(3)]]);
    reporter.flush();
    await pending;
    expect(statusesOf(await stored())).toEqual([[status(1), status(2), status(3)], [status(4)]]);
  });

  it('sends each status alone at once with lingerMs 0', async () => {
    const { reporter, stored } = reporterFor({ lingerMs: 0, maxWaiting: 8 });
    await Promise.all([1, 2].map((n) => reporter.report(status(n))));
    expect((await stored()).map((m) => m.json())).toEqual([status(1), status(2)]);
  });

  it(`closes a batch at ${MAX_STATUSES_PER_REPORT} statuses and before ${MAX_REPORT_BYTES / 1024} KB of JSON`, async () => {
    const byCount = reporterFor({ lingerMs: 50, maxWaiting: 1_000 });
    await Promise.all(Array.from({ length: MAX_STATUSES_PER_REPORT + 1 }, (_, n) => byCount.reporter.report(status(n))));
    expect(statusesOf(await byCount.stored()).map((batch) => batch.length)).toEqual([MAX_STATUSES_PER_REPORT, 1]);

    const bySize = reporterFor({ lingerMs: 50, maxWaiting: 100 });
    const detail = 'x'.repeat(100 * 1024);
    const large = [1, 2, 3].map((n) => status(n, { outcome: 'failed', detail }));
    await Promise.all(large.map((s) => bySize.reporter.report(s)));
    const messages = await bySize.stored();
    expect(statusesOf(messages)).toEqual([[large[0], large[1]], [large[2]]]);
    for (const m of messages) expect(m.data.length).toBeLessThanOrEqual(MAX_REPORT_BYTES);
  });

  it('rejects every status of a batch whose publish fails (no stream takes the subject)', async () => {
    const js = jetstream(nc);
    const reporter = new StatusReporter((payload, msgID) => js.publish(`${topo.subjects.prefix}-nowhere.status.test`, payload, { msgID }), {
      lingerMs: 20,
      maxWaiting: 8,
    });
    const results = await Promise.allSettled([1, 2].map((n) => reporter.report(status(n))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('rejects the statuses, and does not throw from its timer, when the publish function throws', async () => {
    const reporter = new StatusReporter(
      () => {
        throw new Error('connection closed (test)');
      },
      { lingerMs: 5, maxWaiting: 8 },
    );
    const results = await Promise.allSettled([reporter.report(status(1)), reporter.report(status(2))]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status))).toEqual([
      'connection closed (test)',
      'connection closed (test)',
    ]);
  });

  it('refuses a negative wait or a maxWaiting below 1', () => {
    const publish = (): Promise<void> => Promise.resolve();
    expect(() => new StatusReporter(publish, { lingerMs: -1, maxWaiting: 8 })).toThrow('lingerMs must be 0 or more, got -1');
    expect(() => new StatusReporter(publish, { maxWaiting: 0 })).toThrow('maxWaiting must be a whole number of at least 1, got 0');
  });
});

describe('decodeStatusReport', () => {
  it('reads one status or a batch, and names the field of a bad batch member', () => {
    expect(decodeStatusReport(status(1))).toEqual({ ok: true, statuses: [status(1)] });
    expect(decodeStatusReport({ statuses: [status(1), status(2)] })).toEqual({ ok: true, statuses: [status(1), status(2)] });
    const bad = decodeStatusReport({ statuses: [status(1), { ...status(2), outcome: 'failed' }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.issues.map((i) => i.path.join('.'))).toEqual(['statuses.1.detail']);
    const empty = decodeStatusReport({ statuses: [] });
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.error.issues.map((i) => [i.path.join('.'), i.code])).toEqual([['statuses', 'too_small']]);
    const single = decodeStatusReport({ delivery_id: 'only-this' });
    expect(single.ok).toBe(false);
    if (!single.ok) expect(single.error.issues.every((i) => i.path[0] !== 'statuses')).toBe(true);
  });
});
