/**
 * No cold start (issue 15): the gateway loads the routing snapshot, opens its PostgreSQL
 * connections and compiles validation + routing BEFORE `/health/ready` turns true, so the first
 * event after readiness neither loads the directory nor connects to the database.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jsonLogger, topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix, waitFor } from '@herald/contracts/testing';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { POOL_MIN_CONNECTIONS } from '../gateway/src/persistence/orm-config.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('warmup');
const topo = topology({ prefix });
let nc: NatsConnection;
let db: TestDatabase;
let gateway: RunningGateway | undefined;
const lines: { msg: string }[] = [];

async function backends(): Promise<number> {
  const rows = await db.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = current_database()');
  return rows[0]?.n ?? 0;
}

beforeAll(async () => {
  nc = await connect({ servers: await resolveNatsUrl() });
  db = await createTestDatabase();
});

afterAll(async () => {
  await gateway?.close();
  await deleteTopology(nc, topo);
  await nc.close();
  await db.drop();
});

describe('gateway warm-up before readiness', () => {
  it('is ready only with the snapshot loaded and the pool connected; the first event reuses both', async () => {
    const before = await backends();
    const logger = jsonLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as { msg: string }) });
    gateway = await startGateway({ config: testGatewayConfig(await resolveNatsUrl(), prefix, db.url), logger });
    const ready = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${gateway?.port}/health/ready`);
        return { status: res.status, body: (await res.json()) as { checks: Record<string, boolean> }, seen: lines.map((l) => l.msg) };
      },
      (r) => r.status === 200,
      10_000,
      20,
    );
    expect(ready.body.checks).toEqual({ nats: true, database: true, warm: true });
    // what readiness waited for had happened before it answered 200
    expect(ready.seen).toContain('routing snapshot loaded');
    expect(ready.seen).toContain('warm-up done');
    expect(await backends()).toBeGreaterThanOrEqual(before + POOL_MIN_CONNECTIONS);

    const loadsBefore = lines.filter((l) => l.msg === 'routing snapshot loaded').length;
    const id = 'first-after-ready';
    await jetstream(nc).publish(
      topo.subjects.event('scan_added'),
      JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'scan_added', data: { product: { id: '1', name: 'Web' } } }),
      { msgID: id },
    );
    await waitFor(
      () => lines.filter((l) => l.msg === 'event routed').length,
      (n) => n === 1,
      10_000,
      20,
    );
    expect(lines.filter((l) => l.msg === 'routing snapshot loaded')).toHaveLength(loadsBefore);
  });
});
