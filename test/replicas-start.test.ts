/**
 * SPEC §8: "Replicas may start in any order and at the same time (migrations are serialised)."
 * Three gateways, two alert and two webhooks plugins are started at the same moment on a brand-new
 * database; every one comes up ready (before the advisory lock, two gateways failed with
 * `duplicate key value violates unique constraint "pg_type_typname_nsp_index"` and webhooks
 * replicas with `migration webhooks/0001-endpoints failed`), and each migration ran once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { topology } from '@herald/contracts';
import {
  createScratchDatabase,
  deleteTopology,
  resolveNatsUrl,
  uniquePrefix,
  waitFor,
  type ScratchDatabase,
} from '@herald/contracts/testing';
import { readyStatus, startDeployable, waitStarted, type Deployable } from './support/fault-kit.js';
import { killAll, type ChildHandle } from './support/processes.js';

const prefix = uniquePrefix('replicas');
let nc: NatsConnection;
let db: ScratchDatabase;
const children: Array<{ kind: Deployable; child: ChildHandle }> = [];

beforeAll(async () => {
  const natsUrl = await resolveNatsUrl();
  nc = await connect({ servers: natsUrl });
  db = await createScratchDatabase();
  const env = { natsUrl, databaseUrl: db.url, prefix };
  const kinds: Deployable[] = ['gateway', 'gateway', 'gateway', 'alert', 'alert', 'webhooks', 'webhooks'];
  for (const kind of kinds) children.push({ kind, child: startDeployable(kind, env) });
});

afterAll(async () => {
  await killAll(children.map((c) => c.child));
  await deleteTopology(nc, topology({ prefix }));
  await nc?.close();
  await db?.drop();
});

describe('replicas started together on a new database', () => {
  it('all come up ready, each migration applied once', async () => {
    const ports = await Promise.all(children.map(({ kind, child }) => waitStarted(kind, child, 60_000)));
    // "started" is logged once the port listens; readiness also waits for the warm-up (snapshot
    // loaded, pool filled, routing path compiled), which runs after it: poll until every one is ready
    const statuses = await waitFor(
      () => Promise.all(ports.map((port) => readyStatus(port))),
      (list) => list.every((status) => status === 200),
      30_000,
      250,
    );
    expect(statuses).toEqual(ports.map(() => 200));
    expect(children.map(({ child }) => child.child.exitCode)).toEqual(children.map(() => null));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const gateway = await client.query('select name from gateway.mikro_orm_migrations');
      const alerts = await client.query('select name from alerts.schema_migrations');
      const webhooks = await client.query('select name from webhooks.schema_migrations');
      for (const result of [gateway, alerts, webhooks]) {
        const names = result.rows.map((r: { name: string }) => r.name);
        expect(names.length).toBeGreaterThan(0);
        expect(new Set(names).size).toBe(names.length);
      }
    } finally {
      await client.end();
    }
  }, 90_000);
});
