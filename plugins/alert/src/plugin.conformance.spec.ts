/**
 * The SDK's plugin conformance suite applied to the alert plugin: pure render, classified errors,
 * config round-trip, and no second alert for a delivery redelivered after it was delivered (real
 * NATS harness, real PostgreSQL).
 */
import { afterAll, beforeAll } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, silentLogger } from '@herald/contracts';
import { describePluginConformance, resolveNatsUrl, startPluginHarness, uniquePrefix } from '@herald/contracts/testing';
import type { NewAlert } from './alert.js';
import { AlertStore, type AlertDatabase, type InsertResult } from './alert-store.js';
import { NatsLiveAlerts, type LiveAlerts } from './live-alerts.js';
import { createAlertPlugin } from './plugin.js';
import { personalMessage, systemMessage } from './testing/messages.js';
import { createAlertTestDatabase, type AlertTestDatabase } from './testing/test-database.js';

/**
 * The real store, counting the alerts it created: what reached the user. The plugin keeps no SDK
 * ledger (`idempotentSend`), so a redelivered message does reach `insert`, which creates nothing
 * for a delivery it already stored.
 */
class CountingAlertStore extends AlertStore {
  inserts = 0;

  override async insert(alert: NewAlert, createdAt?: Date): Promise<InsertResult> {
    const result = await super.insert(alert, createdAt);
    if (result.created) this.inserts += 1;
    return result;
  }
}

let db: AlertTestDatabase;
let nc: NatsConnection;
let hub: NatsLiveAlerts;
const prefix = uniquePrefix('alert_conf');

beforeAll(async () => {
  db = await createAlertTestDatabase();
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'alert-conformance-spec' });
  hub = new NatsLiveAlerts(nc, prefix, silentLogger);
});
afterAll(async () => {
  hub.close();
  await nc.drain();
  await db.drop();
});

// The suite needs the plugin when it is declared; the database and NATS exist from `beforeAll` on,
// so the plugin reaches them through these late-bound forwarders (real PostgreSQL, real NATS).
const database: AlertDatabase = {
  connect: () => db.pool.connect(),
  query: (text, values) => db.pool.query(text, values),
};
const live: LiveAlerts = {
  publish: (alert) => hub.publish(alert),
  subscribe: (userId, listener) => hub.subscribe(userId, listener),
  close: () => hub.close(),
};
const store = new CountingAlertStore(database);
const plugin = createAlertPlugin({ store, live });

const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describePluginConformance('alert', {
  plugin,
  sampleMessages: [
    personalMessage({ eventId: 'c-1', data: { url: '/finding/1', icon: 'bug' } }),
    personalMessage({ eventId: 'c-2', type: 'dummy_foo_event', eventLabel: 'Dummy Foo Event', data: { title: 'x'.repeat(300) } }),
    systemMessage('c-3'),
  ],
  sampleConfig: {},
  thrownErrors: [
    pgError('23514', 'new row violates check constraint'),
    pgError('40001', 'could not serialize access'),
    pgError('08006', 'connection failure'),
    pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    new Error('timeout exceeded when trying to connect'),
  ],
  harness: async () => {
    const harness = await startPluginHarness({ plugin, prefix, config: {} });
    return { harness, sentCount: () => store.inserts };
  },
});
