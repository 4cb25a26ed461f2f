/**
 * The embedded default: PGlite through a one-connection `pg.Pool` runs the alert migrations and
 * the store (timestamps round-trip exactly), and the data survives closing and reopening.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runSqlMigrations } from '@herald/plugin-storage';
import { AlertStore } from './alert-store.js';
import { openAlertDatabase } from './database.js';
import { ALERT_MIGRATIONS, ALERT_SCHEMA } from './migrations.js';

const dataDir = mkdtempSync(join(tmpdir(), 'herald-alert-pglite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('openAlertDatabase without DATABASE_URL', () => {
  it('stores alerts in PGlite under <dataDir>/alert-pgdata and keeps them across restarts', async () => {
    const createdAt = new Date('2026-11-23T10:00:00.123Z');
    const first = openAlertDatabase({ databaseUrl: undefined, dataDir });
    expect(await runSqlMigrations(first, ALERT_SCHEMA, ALERT_MIGRATIONS)).toEqual(['0001-alerts']);
    const inserted = await new AlertStore(first).insert(
      { delivery_id: 'e:alert:user-1', user_id: '1', title: 't', description: 'd', url: null, icon: 'bell', source: 's' },
      createdAt,
    );
    expect(inserted.alert.created_at).toEqual(createdAt);
    await first.end();

    const second = openAlertDatabase({ databaseUrl: undefined, dataDir });
    expect(await runSqlMigrations(second, ALERT_SCHEMA, ALERT_MIGRATIONS)).toEqual([]);
    const page = await new AlertStore(second).list({ userId: '1', limit: 10 });
    expect(page.items).toEqual([inserted.alert]);
    await second.end();
  }, 180_000); // PGlite runs initdb in WebAssembly: ~10 s alone, minutes on a loaded machine
});
