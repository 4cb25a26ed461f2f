/**
 * The scheduler's maintenance jobs reach the plugins that own the data: alert retention and the
 * webhook status sweep, asked by the gateway over NATS and run by the alert and webhooks plugins
 * (each on its own schema of the same PostgreSQL database here).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger, topology } from '@herald/contracts';
import { deleteTopology, resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { openAlertDatabase, openAlertPlugin, type OpenedAlertPlugin } from '@herald/plugin-alert';
import { openWebhooksDatabase, openWebhooksPlugin, type OpenedWebhooksPlugin } from '@herald/plugin-webhooks';
import type pg from 'pg';
import { startGateway, type RunningGateway } from '../gateway/src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../gateway/src/persistence/testing/test-database.js';
import { SchedulerService } from '../gateway/src/scheduler/scheduler.service.js';
import { TEST_SECRET_KEY, testGatewayConfig } from './support/gateway-config.js';

const prefix = uniquePrefix('maint');
const topo = topology({ prefix });
let nc: NatsConnection;
let db: TestDatabase;
let gateway: RunningGateway;
let alertPool: pg.Pool;
let webhooksPool: pg.Pool;
let alert: OpenedAlertPlugin;
let webhooks: OpenedWebhooksPlugin;

beforeAll(async () => {
  const url = await resolveNatsUrl();
  nc = await connect({ servers: url });
  db = await createTestDatabase();
  const never = '0 0 1 1 *';
  gateway = await startGateway({
    config: testGatewayConfig(url, prefix, db.url, {
      HERALD_SCHEDULE_ENGAGEMENT_REMINDERS: never,
      HERALD_SCHEDULE_SCHEDULED_EVENTS: never,
      HERALD_SCHEDULE_ALERT_RETENTION: never,
      HERALD_SCHEDULE_WEBHOOK_SWEEP: never,
    }),
    logger: silentLogger,
  });
  alertPool = openAlertDatabase({ databaseUrl: db.url, dataDir: '.herald' });
  webhooksPool = openWebhooksDatabase({ databaseUrl: db.url, dataDir: '.herald' });
  alert = await openAlertPlugin({ pool: alertPool, nc, prefix, logger: silentLogger, maxAlertsPerUser: 2 });
  webhooks = await openWebhooksPlugin({
    pool: webhooksPool,
    nc,
    prefix,
    logger: silentLogger,
    secretKey: TEST_SECRET_KEY,
    siteUrl: 'http://localhost',
  });
});

afterAll(async () => {
  alert?.close();
  webhooks?.close();
  await gateway?.close();
  await alertPool?.end();
  await webhooksPool?.end();
  await deleteTopology(nc, topo);
  await nc?.close();
  await db?.drop();
});

describe('maintenance jobs', () => {
  it('alert retention keeps the newest alerts per user, once', async () => {
    for (let i = 0; i < 3; i++) {
      await alert.store.insert(
        { delivery_id: `d${i}`, user_id: 'u1', title: `t${i}`, description: '', url: null, icon: 'bell', source: 'Other' },
        new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
      );
    }
    const scheduler = gateway.app.get(SchedulerService);
    expect(await scheduler.jobs['alert-retention']()).toEqual({ deleted: 1 });
    expect(await scheduler.jobs['alert-retention']()).toEqual({ deleted: 0 });
    const left = await alert.store.list({ userId: 'u1', limit: 10 });
    expect(left.items.map((a) => a.title)).toEqual(['t2', 't1']);
  });

  it('the webhook sweep reactivates an inactive_tmp endpoint older than 5 minutes', async () => {
    const endpoint = await webhooks.store.create(
      { name: 'hook', url: 'http://127.0.0.1:9/hook', header_name: null, header_value: null, signing_secrets: [], owner: null, note: null },
      new Date(),
    );
    await webhooksPool.query(`update webhooks.endpoints set status = 'inactive_tmp', first_error = $2, last_error = $2 where id = $1`, [
      endpoint.id,
      new Date(Date.now() - 6 * 60_000),
    ]);
    expect(await gateway.app.get(SchedulerService).jobs['webhook-sweep']()).toEqual({
      promoted: 0,
      reactivated: 1,
      pruned_delivery_records: 0,
    });
    expect((await webhooks.store.get(endpoint.id))?.status).toBe('active_tmp');
  });
});
