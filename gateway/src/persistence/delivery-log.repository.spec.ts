import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DeadLetter, DeliveryStatus, Destination } from '@herald/contracts';
import { closeDatabase, openDatabase } from './database.js';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { queryRows, sql } from './sql.js';
import { validationIssues } from './testing/expect-issues.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

let db: TestDatabase;
let log: DeliveryLogRepository;

const alice: Destination = { scope: 'personal', user: { id: 'u1', username: 'alice', email: 'alice@example.org', full_name: 'Alice' } };
const system: Destination = { scope: 'system' };

function status(outcome: DeliveryStatus['outcome'], attempt: number, at: string, detail = 'why'): DeliveryStatus {
  const base = { delivery_id: 'e1:mail:user-u1', event_id: 'e1', channel: 'mail', destination: alice, attempt, at };
  switch (outcome) {
    case 'delivered':
      return { ...base, outcome };
    case 'retrying':
      return { ...base, outcome, detail, retry_in_ms: 1000 };
    case 'failed':
    case 'dropped':
      return { ...base, outcome, detail };
  }
}

async function outcomeOf(deliveryId: string) {
  const rows = await db.query<{ outcome: string; attempt: number }>(
    'select outcome, attempt from gateway.deliveries where delivery_id = $1',
    [deliveryId],
  );
  return rows[0];
}

beforeAll(async () => {
  db = await createTestDatabase();
  log = new DeliveryLogRepository(db.em);
});

afterAll(async () => {
  await db.drop();
});

describe('routing records', () => {
  it('stores decisions and deliveries as published, idempotently', async () => {
    const record = {
      source: 'dd',
      eventId: 'e1',
      type: 'scan_added',
      column: 'scan_added',
      decisions: [
        { user: 'u1', channels: ['mail'] },
        { user: 'u2', reason: 'no access to product 7' },
      ],
      deliveries: [
        { delivery_id: 'e1:mail:user-u1', channel: 'mail', destination: alice },
        { delivery_id: 'e1:slack:system', channel: 'slack', destination: system },
      ],
    };
    await log.recordRouting(record);
    await log.recordRouting(record);
    expect(await log.getDecisions('e1')).toEqual([
      {
        source: 'dd',
        event_id: 'e1',
        type: 'scan_added',
        column: 'scan_added',
        decisions: record.decisions,
        routed_at: expect.any(String),
      },
    ]);
    expect(await log.getDecisions('nope')).toEqual([]);
    const page = await log.listDeliveries({ event_id: 'e1' });
    expect(page.next_cursor).toBeNull();
    expect(page.items.map((item) => [item.delivery_id, item.user_id, item.outcome, item.attempt])).toEqual([
      ['e1:slack:system', null, 'published', 0],
      ['e1:mail:user-u1', 'u1', 'published', 0],
    ]);
    expect(page.items[1]?.destination).toEqual(alice);
  });

  it('records a batch in one go: each event once (its last record) and each delivery once', async () => {
    const delivery = (id: string) => ({ delivery_id: id, channel: 'mail', destination: alice });
    await log.recordRoutingMany([
      {
        source: 'dd',
        eventId: 'b1',
        type: 'scan_added',
        column: 'scan_added',
        decisions: ['first'],
        deliveries: [delivery('b1:mail:user-u1')],
      },
      { source: 'dd', eventId: 'b2', type: 'other', column: 'other', decisions: [], deliveries: [] },
      {
        source: 'dd',
        eventId: 'b1',
        type: 'scan_added',
        column: 'scan_added',
        decisions: ['second'],
        deliveries: [delivery('b1:mail:user-u1')],
      },
      {
        source: 'dd',
        eventId: 'b3',
        type: 'test_added',
        column: 'test_added',
        decisions: [],
        deliveries: [delivery('b3:mail:user-u1'), delivery('b3:mail:user-u1')],
      },
    ]);
    expect((await log.getDecisions('b1'))[0]?.decisions).toEqual(['second']);
    expect((await log.getDecisions('b2'))[0]?.column).toBe('other');
    expect((await log.listDeliveries({ event_id: 'b1' })).items.map((i) => i.delivery_id)).toEqual(['b1:mail:user-u1']);
    expect((await log.listDeliveries({ event_id: 'b3' })).items.map((i) => i.delivery_id)).toEqual(['b3:mail:user-u1']);
  });

  it('keeps the decisions of the same event id from two sources apart (two events, not one overwritten)', async () => {
    await log.recordRoutingMany([
      { source: 'scanner-a', eventId: 'same', type: 'scan_added', column: 'scan_added', decisions: ['from a'], deliveries: [] },
      { source: 'scanner-b', eventId: 'same', type: 'test_added', column: 'test_added', decisions: ['from b'], deliveries: [] },
    ]);
    expect((await log.getDecisions('same')).map((d) => [d.source, d.decisions])).toEqual([
      ['scanner-a', ['from a']],
      ['scanner-b', ['from b']],
    ]);
    expect((await log.getDecisions('same', 'scanner-b')).map((d) => d.column)).toEqual(['test_added']);
    expect(await log.getDecisions('same', 'scanner-c')).toEqual([]);
  });

  it('tells a routed event (its record is written) from one that is not, per source (the event ledger asks this)', async () => {
    expect(await log.isRouted('scanner-d', 'routed-later')).toBe(false);
    // an event routed to nobody is routed too: its decisions row is written without deliveries
    await log.recordRouting({
      source: 'scanner-d',
      eventId: 'routed-later',
      type: 'scan_added',
      column: 'scan_added',
      decisions: [],
      deliveries: [],
    });
    expect(await log.isRouted('scanner-d', 'routed-later')).toBe(true);
    expect(await log.isRouted('scanner-e', 'routed-later')).toBe(false);
    expect(await log.isRouted('scanner-d', 'routed-later-2')).toBe(false);
  });
});

describe('applyStatus', () => {
  it('moves forward and never regresses a final outcome on a late retrying', async () => {
    expect(await log.applyStatus(status('retrying', 1, '2026-01-01T10:00:00Z'))).toBe('applied');
    expect(await log.applyStatus(status('retrying', 2, '2026-01-01T10:00:05Z'))).toBe('applied');
    expect(await log.applyStatus(status('retrying', 1, '2026-01-01T10:00:06Z'))).toBe('ignored');
    expect(await outcomeOf('e1:mail:user-u1')).toEqual({ outcome: 'retrying', attempt: 2 });
    expect(await log.applyStatus(status('delivered', 3, '2026-01-01T10:00:10Z'))).toBe('applied');
    expect(await log.applyStatus(status('retrying', 4, '2026-01-01T10:00:11Z'))).toBe('ignored');
    expect(await log.applyStatus(status('failed', 3, '2026-01-01T10:00:09Z'))).toBe('ignored');
    expect(await outcomeOf('e1:mail:user-u1')).toEqual({ outcome: 'delivered', attempt: 3 });
  });

  it('lets a later final outcome (a replay) replace an earlier one', async () => {
    expect(await log.applyStatus(status('failed', 5, '2026-01-02T00:00:00Z', 'gave up'))).toBe('applied');
    expect(await outcomeOf('e1:mail:user-u1')).toEqual({ outcome: 'failed', attempt: 5 });
  });

  it('inserts a delivery it has not seen routed', async () => {
    const late = {
      ...status('dropped', 1, '2026-01-01T00:00:00Z', 'inactive endpoint'),
      delivery_id: 'e9:webhooks:system',
      event_id: 'e9',
    };
    expect(await log.applyStatus({ ...late, channel: 'webhooks', destination: system })).toBe('applied');
    expect(await outcomeOf('e9:webhooks:system')).toEqual({ outcome: 'dropped', attempt: 1 });
  });
});

describe('a broadcast record (more deliveries than one statement takes)', () => {
  it('stores every delivery and the decisions, idempotently', async () => {
    const deliveries = Array.from({ length: 12_001 }, (_, i) => ({
      delivery_id: `big:alert:user-${i}`,
      channel: 'alert',
      destination: { ...alice, user: { ...alice.user, id: `b${i}` } },
    }));
    const record = {
      source: 'dd',
      eventId: 'big',
      type: 'engagement_added',
      column: 'engagement_added',
      decisions: [{ n: 12_001 }],
      deliveries,
    };
    await log.recordRouting(record);
    await log.recordRouting(record);
    const rows = await db.query<{ n: string }>(`select count(*)::text as n from gateway.deliveries where event_id = 'big'`);
    expect(rows[0]?.n).toBe('12001');
    expect(await log.getDecisions('big')).toMatchObject([{ source: 'dd', event_id: 'big', decisions: [{ n: 12_001 }] }]);
  });
});

describe('a broadcast routed in chunks (parts, then the routed mark)', () => {
  const person = (i: number): Destination => ({ ...alice, user: { ...alice.user, id: `p${i}` } });
  const part = (n: number, from: number, to: number, deliveries = true) => ({
    source: 'dd',
    eventId: 'parted',
    part: n,
    decisions: Array.from({ length: to - from }, (_, i) => ({ user_id: `p${from + i}` })),
    deliveries: deliveries
      ? Array.from({ length: to - from }, (_, i) => ({
          delivery_id: `parted:alert:user-p${from + i}`,
          channel: 'alert',
          destination: person(from + i),
        }))
      : [],
  });
  const done = (parts: number) => ({ source: 'dd', eventId: 'parted', type: 'engagement_added', column: 'engagement_added', parts });
  const decided = async () =>
    ((await log.getDecisions('parted'))[0]?.decisions as { user_id: string }[] | undefined)?.map((d) => d.user_id);
  const logged = async () =>
    (await db.query<{ n: string }>(`select count(*)::text as n from gateway.deliveries where event_id = 'parted'`))[0]?.n;

  it('is not routed until its last part is stored and the event completed; then its decisions are the parts in order', async () => {
    await log.recordRoutingPart(part(1, 3, 5));
    await log.recordRoutingPart(part(0, 0, 3));
    expect(await log.isRouted('dd', 'parted')).toBe(false);
    expect(await log.getDecisions('parted')).toEqual([]);
    expect(await logged()).toBe('5');
    await log.completeRoutingParts(done(2));
    expect(await log.isRouted('dd', 'parted')).toBe(true);
    expect(await decided()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(await log.getDecisions('parted', 'dd')).toEqual([
      {
        source: 'dd',
        event_id: 'parted',
        type: 'engagement_added',
        column: 'engagement_added',
        decisions: expect.any(Array),
        routed_at: expect.any(String),
      },
    ]);
  });

  it('is idempotent, and a retry that routed fewer parts leaves none of the earlier attempt behind', async () => {
    // a first attempt with three parts (one delivery already reported meanwhile), then a retry with two
    await log.recordRoutingPart(part(2, 5, 7));
    await log.completeRoutingParts(done(3));
    expect(await decided()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    await log.applyStatus({ ...status('delivered', 1, '2026-01-03T00:00:00Z'), delivery_id: 'parted:alert:user-p0', event_id: 'parted' });
    await log.recordRoutingPart(part(0, 0, 2));
    await log.recordRoutingPart(part(1, 2, 4, false));
    await log.completeRoutingParts(done(2));
    expect(await decided()).toEqual(['p0', 'p1', 'p2', 'p3']);
    const left = await db.query<{ part: number }>(`select part from gateway.event_decision_parts where event_id = 'parted' order by part`);
    expect(left.map((row) => row.part)).toEqual([0, 1]);
    // deliveries already logged keep their state (one was delivered)
    expect(await outcomeOf('parted:alert:user-p0')).toEqual({ outcome: 'delivered', attempt: 1 });
    expect(await logged()).toBe('7');
  });

  it('stores a part with more deliveries than one statement takes', async () => {
    await log.recordRoutingPart({
      ...part(0, 0, 1),
      eventId: 'parted-big',
      deliveries: Array.from({ length: 5_001 }, (_, i) => ({
        delivery_id: `parted-big:alert:user-${i}`,
        channel: 'alert',
        destination: person(i),
      })),
    });
    const rows = await db.query<{ n: string }>(`select count(*)::text as n from gateway.deliveries where event_id = 'parted-big'`);
    expect(rows[0]?.n).toBe('5001');
  });

  it('reads the row itself again once the event is recorded whole (parts 0), whatever parts are left', async () => {
    await log.recordRouting({
      source: 'dd',
      eventId: 'parted',
      type: 'engagement_added',
      column: 'engagement_added',
      decisions: [{ user_id: 'whole' }],
      deliveries: [],
    });
    expect(await decided()).toEqual(['whole']);
  });

  it('refuses a part or a completion that cannot be', async () => {
    await expect(log.recordRoutingPart({ ...part(0, 0, 1), part: -1 })).rejects.toThrow('part must be an integer ≥ 0, got -1');
    await expect(log.completeRoutingParts(done(0))).rejects.toThrow('parts must be an integer ≥ 1, got 0');
  });
});

describe('applyStatusMany (group commit)', () => {
  it('applies a batch in one go with the same rules, reports of one delivery in the order given', async () => {
    const other = (outcome: DeliveryStatus['outcome'], attempt: number, at: string): DeliveryStatus => ({
      ...status(outcome, attempt, at),
      delivery_id: 'b1:mail:user-u1',
      event_id: 'b1',
    });
    const results = await log.applyStatusMany([
      other('retrying', 1, '2026-03-01T10:00:00Z'),
      { ...other('retrying', 1, '2026-03-01T10:00:00Z'), delivery_id: 'b2:mail:user-u1', event_id: 'b2' },
      other('delivered', 2, '2026-03-01T10:00:05Z'),
      other('retrying', 3, '2026-03-01T10:00:06Z'), // late retrying after a final outcome
      { ...other('dropped', 1, '2026-03-01T10:00:01Z'), delivery_id: 'b2:mail:user-u1', event_id: 'b2' },
    ]);
    expect(results).toEqual(['applied', 'applied', 'applied', 'ignored', 'applied']);
    expect(await outcomeOf('b1:mail:user-u1')).toEqual({ outcome: 'delivered', attempt: 2 });
    expect(await outcomeOf('b2:mail:user-u1')).toEqual({ outcome: 'dropped', attempt: 1 });
  });
});

describe('listDeliveries', () => {
  it('filters by every field and pages with a cursor, newest first', async () => {
    const deliveries = Array.from({ length: 5 }, (_, index) => ({
      delivery_id: `p${index}:alert:user-u1`,
      channel: 'alert',
      destination: alice,
    }));
    for (const [index, delivery] of deliveries.entries()) {
      await log.recordRouting({
        source: 'dd',
        eventId: `p${index}`,
        type: 'other',
        column: 'other',
        decisions: [],
        deliveries: [delivery],
      });
    }
    const first = await log.listDeliveries({ user_id: 'u1', channel: 'alert', outcome: 'published' }, null, 2);
    expect(first.items.map((item) => item.delivery_id)).toEqual(['p4:alert:user-u1', 'p3:alert:user-u1']);
    const second = await log.listDeliveries({ user_id: 'u1', channel: 'alert', outcome: 'published' }, first.next_cursor, 2);
    expect(second.items.map((item) => item.delivery_id)).toEqual(['p2:alert:user-u1', 'p1:alert:user-u1']);
    const third = await log.listDeliveries({ user_id: 'u1', channel: 'alert', outcome: 'published' }, second.next_cursor, 2);
    expect(third).toEqual({ items: [expect.objectContaining({ delivery_id: 'p0:alert:user-u1' })], next_cursor: null });
    expect((await log.listDeliveries({ outcome: 'failed' })).items.map((item) => item.delivery_id)).toEqual(['e1:mail:user-u1']);
  });

  it('refuses a cursor it did not issue', async () => {
    expect(await validationIssues(log.listDeliveries({}, 'garbage'))).toEqual([
      { path: 'cursor', message: 'is not a cursor returned by this list' },
    ]);
  });
});

describe('dead letters', () => {
  const letter: DeadLetter = {
    stage: 'ingest',
    reason: 'invalid event',
    issues: [{ path: 'data.recipients[0]', message: 'must be string, got an object' }],
    subject: 'herald.events.scan_added',
    stream: 'HERALD_EVENTS',
    stream_seq: 42,
    deliveries: 1,
    headers: { 'Nats-Msg-Id': 'bad-1' },
    payload_base64: Buffer.from('{"id":"bad-1"}').toString('base64'),
    event_id: 'bad-1',
    at: '2026-01-01T00:00:00.000Z',
  };

  it('are stored once per original message, listed without payload and replayable', async () => {
    expect(await log.recordDeadLetter(letter)).toEqual({ id: 'HERALD_EVENTS-42', created: true });
    expect(await log.recordDeadLetter(letter)).toEqual({ id: 'HERALD_EVENTS-42', created: false });
    const listed = await log.listDeadLetters({ stage: 'ingest', replayed: false });
    expect(listed.items).toEqual([
      {
        id: 'HERALD_EVENTS-42',
        stage: 'ingest',
        subject: letter.subject,
        reason: letter.reason,
        issues: letter.issues,
        event_id: 'bad-1',
        created_at: '2026-01-01T00:00:00.000Z',
        replayed_at: null,
      },
    ]);
    const full = await log.getDeadLetter('HERALD_EVENTS-42');
    expect(full?.payload_base64).toBe(letter.payload_base64);
    expect(full?.headers).toEqual(letter.headers);
    expect(full?.stream_seq).toBe(42);
    expect(await log.markReplayed('HERALD_EVENTS-42')).toBe(true);
    expect(await log.markReplayed('nope')).toBe(false);
    expect((await log.listDeadLetters({ replayed: false })).items).toEqual([]);
    expect((await log.listDeadLetters({ replayed: true })).items[0]?.replayed_at).toEqual(expect.any(String));
    expect(await log.getDeadLetter('nope')).toBeNull();
  });

  it('get a random id when the original has no stream position', async () => {
    const stored = await log.recordDeadLetter({ ...letter, stream: '', stream_seq: 0 });
    expect(stored.created).toBe(true);
    expect(stored.id).toMatch(/^dl_/);
  });
});

describe('warmStatements (the warm-up before readiness)', () => {
  it('prepares the routing record and status report statements on every connection, writing nothing', async () => {
    const orm = await openDatabase({ databaseUrl: db.url, dataDir: '.herald', poolSize: 2 });
    try {
      const count = async () =>
        (
          await db.query<{ n: number }>(
            'select (select count(*) from gateway.deliveries)::int + (select count(*) from gateway.event_decisions)::int as n',
          )
        )[0]?.n;
      const before = await count();
      await new DeliveryLogRepository(orm.em).warmStatements(2);
      expect(await count()).toBe(before);
      // two transactions open at once hold both connections of the pool: each lists its own prepared statements
      let arrived = 0;
      let release!: () => void;
      const bothOpen = new Promise<void>((resolve) => (release = resolve));
      const perConnection = await Promise.all(
        [0, 1].map(() =>
          orm.em.fork().transactional(async (tx) => {
            const rows = await queryRows<{ name: string; pid: number }>(
              tx,
              sql`select name, pg_backend_pid() as pid from pg_prepared_statements order by name`,
            );
            if (++arrived === 2) release();
            await bothOpen;
            return rows;
          }),
        ),
      );
      expect(new Set(perConnection.map((rows) => rows[0]?.pid)).size).toBe(2);
      for (const rows of perConnection) {
        expect(rows.map((r) => r.name.replace(/_[0-9a-f]{12}$/, ''))).toEqual(['herald_apply_status', 'herald_record_routing']);
      }
    } finally {
      await closeDatabase(orm);
    }
  });
});
