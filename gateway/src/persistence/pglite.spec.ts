import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { EngagementEntity } from '../directory/engagement.entity.js';
import { DirectoryService } from '../directory/directory.service.js';
import { EventTypeRepository } from '../settings/event-type.repository.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { closeDatabase, openDatabase, runMigrations } from './database.js';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { loadSnapshotInput } from './snapshot-loader.js';

const dataDir = mkdtempSync(join(tmpdir(), 'herald-pglite-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PGlite', () => {
  it("applies the migrations, keeps dates exact, stores a streamed broadcast's decision parts and reopens with its data", async () => {
    // Run in a timezone far from UTC: without the type parsers a date would shift a day.
    const timezone = process.env['TZ'];
    process.env['TZ'] = 'Pacific/Kiritimati';
    try {
      const orm = await openDatabase({ dataDir });
      const directory = new DirectoryRepository(orm.em);
      await directory.upsertProductType('pt1', { name: 'Web' });
      await directory.upsertProduct('p1', { name: 'Shop', product_type_id: 'pt1' });
      await directory.upsertEngagement('e1', {
        name: 'Pentest',
        product_id: 'p1',
        lead: null,
        target_start: '2026-03-01',
        target_end: '2026-03-31',
        status: 'in_progress',
      });
      const entity = await orm.em.fork().findOneOrFail(EngagementEntity, { id: 'e1' });
      expect([entity.target_start, entity.target_end]).toEqual(['2026-03-01', '2026-03-31']);
      // PGlite has one connection: a call inside a transaction that used another connection would
      // wait for it forever. These run transactions with nested repository calls.
      const service = new DirectoryService(orm.em, directory, new SettingsRepository(orm.em), new EventTypeRepository(orm.em));
      expect((await service.upsertUser('u1', { username: 'alice' })).created).toBe(true);
      const snapshot = await loadSnapshotInput(orm.em, { systemLevelTrump: [] });
      expect(snapshot.personal.map((row) => row.user_id)).toEqual(['u1']);
      // a streamed broadcast's decisions: stored in parts, served joined in order
      const log = new DeliveryLogRepository(orm.em);
      const destination = { scope: 'personal' as const, user: { id: 'u1', username: 'alice', email: '', full_name: '' } };
      await log.recordRoutingPart({ source: 's', eventId: 'b1', part: 1, decisions: [{ n: 2 }, { n: 3 }], deliveries: [] });
      await log.recordRoutingPart({
        source: 's',
        eventId: 'b1',
        part: 0,
        decisions: [{ n: 0 }, { n: 1 }],
        deliveries: [{ delivery_id: 's:b1:alert:user-u1', channel: 'alert', destination }],
      });
      expect(await log.isRouted('s', 'b1')).toBe(false);
      await log.completeRoutingParts({ source: 's', eventId: 'b1', type: 'engagement_added', column: 'engagement_added', parts: 2 });
      expect((await log.getDecisions('b1')).map((view) => view.decisions)).toEqual([[{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]]);
      expect((await log.listDeliveries({ event_id: 'b1' })).items.map((item) => item.delivery_id)).toEqual(['s:b1:alert:user-u1']);
      await closeDatabase(orm);

      const reopened = await openDatabase({ dataDir });
      expect(await runMigrations(reopened)).toEqual([]);
      const again = await reopened.em.fork().findOneOrFail(EngagementEntity, { id: 'e1' });
      expect(again.target_start).toBe('2026-03-01');
      await closeDatabase(reopened);
    } finally {
      if (timezone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = timezone;
    }
  }, 180_000); // PGlite runs initdb in WebAssembly twice: ~10 s alone, minutes on a loaded machine
});
