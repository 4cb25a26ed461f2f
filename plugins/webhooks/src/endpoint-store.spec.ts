/**
 * The endpoint store's batched reads against real PostgreSQL (one connection, as with PGlite):
 * destination lookups asked for while a statement runs share the next statement, and each gets
 * exactly its own destination's endpoints with its own delivery's records.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@herald/contracts';
import type { SqlPool } from '@herald/plugin-storage';
import { EndpointStore, type Endpoint, type EndpointForDelivery, type NewEndpoint } from './endpoint-store.js';
import { createWebhooksTestDatabase, type WebhooksTestDatabase } from './testing/test-database.js';

const T0 = new Date('2026-11-23T10:00:00Z');

let db: WebhooksTestDatabase;
let store: EndpointStore;
/** Statements sent through the store's pool (a pass-through that counts): `<prepared label> <first two words>`. */
const statements: string[] = [];
const PREPARED = /^\/\* prepare:(\S+) \*\/\s*/;

beforeAll(async () => {
  db = await createWebhooksTestDatabase();
  const counting: SqlPool = {
    connect: () => db.pool.connect(),
    query: (text, values) => {
      const label = PREPARED.exec(text)?.[1] ?? 'unprepared';
      statements.push(`${label} ${text.replace(PREPARED, '').trim().split(/\s+/).slice(0, 2).join(' ')}`);
      return db.pool.query(text, values);
    },
  };
  store = new EndpointStore(counting, SecretBox.fromBase64(SecretBox.generateKey()));
  await store.migrate();
});

afterAll(async () => {
  await db.drop();
});

beforeEach(async () => {
  await db.pool.query('delete from webhooks.endpoints');
  statements.length = 0;
});

async function endpoint(name: string, owner: string | null, overrides: Partial<NewEndpoint> = {}): Promise<Endpoint> {
  return store.create(
    {
      name,
      url: `http://127.0.0.1:9/${name}`,
      header_name: null,
      header_value: null,
      signing_secrets: [],
      owner,
      note: null,
      ...overrides,
    },
    T0,
  );
}

const summary = (targets: EndpointForDelivery[]): Array<[string, string | null]> =>
  targets.map((t) => [t.endpoint.name, t.record?.state ?? null]);

describe('endpointsForDelivery', () => {
  it('answers concurrent lookups for different destinations and deliveries in one statement, each with its own rows', async () => {
    const sysB = await endpoint('sys-b', null);
    await endpoint('sys-a', null, { header_name: 'X-Token', header_value: 'tok-1', signing_secrets: ['whsec_c2VjcmV0'] });
    const alice = await endpoint('alice-1', 'u-alice');
    await endpoint('alice-0', 'u-alice');
    await endpoint('bob-1', 'u-bob');
    await store.recordDelivery('d-1', sysB.id, 'delivered', null, T0);
    await store.recordDelivery('d-2', alice.id, 'pending', 'waits', T0, T0);
    statements.length = 0;

    const [sys1, sys2, aliceTargets, bobTargets, nobody, aliceLimited] = await Promise.all([
      store.endpointsForDelivery({ kind: 'system' }, 'd-1', 100),
      store.endpointsForDelivery({ kind: 'system' }, 'd-3', 100),
      store.endpointsForDelivery({ kind: 'user', userId: 'u-alice' }, 'd-2', 100),
      store.endpointsForDelivery({ kind: 'user', userId: 'u-bob' }, 'd-1', 100),
      store.endpointsForDelivery({ kind: 'user', userId: 'u-nobody' }, 'd-1', 100),
      store.endpointsForDelivery({ kind: 'user', userId: 'u-alice' }, 'd-2', 1),
    ]);

    expect(summary(sys1)).toEqual([
      ['sys-a', null],
      ['sys-b', 'delivered'],
    ]);
    expect(summary(sys2)).toEqual([
      ['sys-a', null],
      ['sys-b', null],
    ]);
    expect(summary(aliceTargets)).toEqual([
      ['alice-0', null],
      ['alice-1', 'pending'],
    ]);
    expect(aliceTargets[1]?.record).toEqual({ state: 'pending', detail: 'waits', since: T0 });
    expect(summary(bobTargets)).toEqual([['bob-1', null]]);
    expect(nobody).toEqual([]);
    expect(summary(aliceLimited)).toEqual([['alice-0', null]]);
    // Secrets come back opened, also when served twice in one batch.
    expect(sys1[0]?.endpoint).toMatchObject({ header_name: 'X-Token', header_value: 'tok-1', signing_secrets: ['whsec_c2VjcmV0'] });
    expect(sys2[0]?.endpoint).toMatchObject({ header_value: 'tok-1', signing_secrets: ['whsec_c2VjcmV0'] });
    // The first lookup went alone (nothing was running); the five asked for meanwhile shared one statement.
    expect(statements).toEqual(['lookup_endpoints select q.i::int', 'lookup_endpoints select q.i::int']);
  });

  it('serves a changed secret at once (the opened-secret cache is keyed by the sealed value)', async () => {
    const sys = await endpoint('sys', null, { header_name: 'X-Token', header_value: 'old' });
    expect((await store.endpointsForDelivery({ kind: 'system' }, 'd-1', 10))[0]?.endpoint.header_value).toBe('old');
    await store.update(sys.id, { header_value: 'new', signing_secrets: ['whsec_bmV3'] }, T0);
    const [target] = await store.endpointsForDelivery({ kind: 'system' }, 'd-1', 10);
    expect(target?.endpoint).toMatchObject({ header_value: 'new', signing_secrets: ['whsec_bmV3'] });
  });

  it('rejects every lookup of a failed statement, and the next lookups work again', async () => {
    await endpoint('sys', null);
    await db.pool.query('alter table webhooks.delivery_endpoints rename to delivery_endpoints_away');
    try {
      const results = await Promise.allSettled([
        store.endpointsForDelivery({ kind: 'system' }, 'd-1', 10),
        store.endpointsForDelivery({ kind: 'user', userId: 'u-1' }, 'd-2', 10),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/delivery_endpoints/);
    } finally {
      await db.pool.query('alter table webhooks.delivery_endpoints_away rename to delivery_endpoints');
    }
    expect(summary(await store.endpointsForDelivery({ kind: 'system' }, 'd-1', 10))).toEqual([['sys', null]]);
  });
});

describe('lookups and records together', () => {
  it('writes the records and answers the lookups queued meanwhile in one statement', async () => {
    const sys = await endpoint('sys', null);
    const bob = await endpoint('bob', 'u-bob');
    await store.recordDelivery('d-9', sys.id, 'delivered', null, T0);
    statements.length = 0;

    const [, , , sysTargets, bobTargets] = await Promise.all([
      store.endpointsForDelivery({ kind: 'user', userId: 'u-bob' }, 'd-0', 10),
      store.recordDelivery('d-1', sys.id, 'delivered', null, T0),
      store.recordDelivery('d-2', bob.id, 'failed', 'Exception: refused', T0),
      store.endpointsForDelivery({ kind: 'system' }, 'd-9', 10),
      store.endpointsForDelivery({ kind: 'user', userId: 'u-bob' }, 'd-3', 10),
    ]);

    expect(summary(sysTargets)).toEqual([['sys', 'delivered']]);
    expect(summary(bobTargets)).toEqual([['bob', null]]);
    const rows = (
      await db.pool.query(
        `select delivery_id, endpoint_id, state, detail from webhooks.delivery_endpoints where delivery_id in ('d-1', 'd-2') order by delivery_id`,
      )
    ).rows;
    expect(rows).toEqual([
      { delivery_id: 'd-1', endpoint_id: sys.id, state: 'delivered', detail: null },
      { delivery_id: 'd-2', endpoint_id: bob.id, state: 'failed', detail: 'Exception: refused' },
    ]);
    // The first lookup went alone; the two records and two lookups asked for meanwhile shared one statement.
    expect(statements).toEqual(['lookup_endpoints select q.i::int', 'record_and_lookup with written']);
  });
});

describe('recordDelivery', () => {
  it('skips the record of an endpoint deleted meanwhile instead of failing the records sharing its statement', async () => {
    const kept = await endpoint('kept', null);
    const gone = await endpoint('gone', null);
    await store.delete(gone.id);
    await Promise.all([
      store.recordDelivery('d-1', kept.id, 'delivered', null, T0),
      store.recordDelivery('d-1', gone.id, 'delivered', null, T0),
      store.recordDelivery('d-2', kept.id, 'failed', 'nope', T0),
    ]);
    const rows = (
      await db.pool.query('select delivery_id, endpoint_id, state from webhooks.delivery_endpoints order by delivery_id, endpoint_id')
    ).rows;
    expect(rows).toEqual([
      { delivery_id: 'd-1', endpoint_id: kept.id, state: 'delivered' },
      { delivery_id: 'd-2', endpoint_id: kept.id, state: 'failed' },
    ]);
  });
});

describe('warmStatements (the warm-up before readiness)', () => {
  it('prepares the send path statements on every connection, writing and finding nothing', async () => {
    const two = await createWebhooksTestDatabase({ max: 2 });
    try {
      const warmed = new EndpointStore(two.pool, SecretBox.fromBase64(SecretBox.generateKey()));
      await warmed.migrate();
      await warmed.warmStatements(2);
      expect((await two.pool.query('select count(*)::int as n from webhooks.delivery_endpoints')).rows).toEqual([{ n: 0 }]);
      // both connections checked out at once: each lists its own prepared statements
      const clients = await Promise.all([two.pool.connect(), two.pool.connect()]);
      try {
        const listed = await Promise.all(
          clients.map(
            async (client) =>
              (
                await client.query<{ name: string; pid: number }>(
                  'select name, pg_backend_pid() as pid from pg_prepared_statements order by name',
                )
              ).rows,
          ),
        );
        expect(new Set(listed.map((rows) => rows[0]?.pid)).size).toBe(2);
        for (const rows of listed) {
          expect(rows.map((r) => r.name.replace(/_[0-9a-f]{12}$/, ''))).toEqual([
            'herald_lookup_endpoints',
            'herald_record_and_lookup',
            'herald_record_outcomes',
          ]);
        }
      } finally {
        for (const client of clients) client.release();
      }
    } finally {
      await two.drop();
    }
  });

  it('completes on a pool of one connection (embedded PGlite has one)', async () => {
    await store.warmStatements(2);
    expect((await db.pool.query('select count(*)::int as n from webhooks.delivery_endpoints')).rows).toEqual([{ n: 0 }]);
  });
});
