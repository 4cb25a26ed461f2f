/**
 * Retention on request over real NATS and PostgreSQL: the scheduler's request is answered with the
 * number deleted, with the configured maximum, and a second request deletes nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, silentLogger } from '@herald/contracts';
import { resolveNatsUrl, uniquePrefix } from '@herald/contracts/testing';
import { openAlertPlugin, type OpenedAlertPlugin } from './open-alert-plugin.js';
import { retentionSubject, type RetentionReply } from './retention.js';
import { createAlertTestDatabase, type AlertTestDatabase } from './testing/test-database.js';

let db: AlertTestDatabase;
let nc: NatsConnection;
let opened: OpenedAlertPlugin;
let prefix: string;

beforeAll(async () => {
  db = await createAlertTestDatabase({ migrate: false });
  nc = await connectNats({ url: await resolveNatsUrl(), name: 'alert-retention-spec' });
  prefix = uniquePrefix('alert_ret');
  opened = await openAlertPlugin({ pool: db.pool, nc, prefix, logger: silentLogger, maxAlertsPerUser: 2 });
});
afterAll(async () => {
  opened.close();
  await nc.drain();
  await db.drop();
});

async function requestRetention(): Promise<RetentionReply> {
  return (await nc.request(retentionSubject(prefix), '', { timeout: 2_000 })).json<RetentionReply>();
}

describe('retention on request', () => {
  it('keeps the configured newest alerts per user and answers how many were deleted', async () => {
    for (let n = 0; n < 4; n++) {
      await opened.store.insert(
        { delivery_id: `e-${n}:alert:user-u1`, user_id: 'u1', title: 't', description: 'd', url: null, icon: 'bell', source: 's' },
        new Date(Date.UTC(2026, 10, 23, 10, n)),
      );
    }
    expect(await requestRetention()).toEqual({ deleted: 2 });
    expect(await opened.store.count('u1')).toEqual({ unread: 2, total: 2 });
    expect(await requestRetention()).toEqual({ deleted: 0 });
    expect(await opened.applyRetention()).toBe(0);
  });
});
