import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deliveryId, type Destination, type HeraldEvent } from '@herald/contracts';
import { queryRows, sql } from '../persistence/sql.js';
import { createTestDatabase, type TestDatabase } from '../persistence/testing/test-database.js';
import type { PlannedDelivery } from '../routing/index.js';
import { HeldDeliveriesRepository } from './held-deliveries.repository.js';

/*
 * Held deliveries against real PostgreSQL (SPEC §3.6): holding is idempotent; one digest per
 * (user, channel, column, window) however many replicas claim at once; an item held after its
 * window was claimed is released on its own after the digest, never dropped and never added to a
 * digest that may already be published.
 */
let db: TestDatabase;
let held: HeldDeliveriesRepository;
const CAROL: Destination = { scope: 'personal', user: { id: 'u3', username: 'carol', email: 'carol@example.com', full_name: 'Carol' } };
const WINDOW = { start: '2030-06-10T21:00:00.000Z', end: '2030-06-10T22:00:00.000Z' };

function event(id: string): HeraldEvent {
  return { specversion: '1.0', id, source: 'test', type: 'code_review', data: { title: `Review ${id}`, description: '' } } as HeraldEvent;
}

function digestItem(e: HeraldEvent): PlannedDelivery {
  return {
    delivery_id: deliveryId(e, 'slack', CAROL),
    channel: 'slack',
    destination: CAROL,
    site_url: 'https://herald.example',
    hold: { kind: 'digest', release_at: WINDOW.end, column: 'code_review', schedule: 'hourly', window_start: WINDOW.start },
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  held = new HeldDeliveriesRepository(db.em);
  await queryRows(
    db.em.fork(),
    sql`insert into gateway.users (id, username, email, full_name) values ('u3', 'carol', 'carol@example.com', 'Carol')`,
  );
});

afterAll(async () => {
  await db.drop();
});

describe('HeldDeliveriesRepository', () => {
  it('holds each delivery once, however often an event is routed again', async () => {
    const e = event('h-1');
    expect(await held.hold(e, 'Code Review', [digestItem(e)])).toBe(1);
    expect(await held.hold(e, 'Code Review', [digestItem(e)])).toBe(0);
    expect(await held.forEvent('test', 'h-1')).toEqual([
      { delivery_id: 'test:h-1:slack:user-u3', kind: 'digest', channel: 'slack', release_at: WINDOW.end, sent_at: null },
    ]);
  });

  it('claims a window once when two replicas claim at the same time, with every item', async () => {
    for (const id of ['h-2', 'h-3']) await held.hold(event(id), 'Code Review', [digestItem(event(id))]);
    expect(await held.claimDigests(new Date('2030-06-10T21:59:59Z'))).toBe(0);
    const claimed = await Promise.all([held.claimDigests(new Date(WINDOW.end)), held.claimDigests(new Date(WINDOW.end))]);
    expect(claimed.sort()).toEqual([0, 1]);
    const pending = await held.pendingDigests();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      digest_id: 'digest:u3:slack:code_review:2030-06-10T22:00:00Z',
      user_id: 'u3',
      channel: 'slack',
      column: 'code_review',
      schedule: 'hourly',
      window_start: WINDOW.start,
      window_end: WINDOW.end,
    });
    expect(pending[0]?.items.map((item) => item.delivery_id)).toEqual([
      'test:h-1:slack:user-u3',
      'test:h-2:slack:user-u3',
      'test:h-3:slack:user-u3',
    ]);
    expect(pending[0]?.items[0]?.event_label).toBe('Code Review');
  });

  it('releases an item held after its window was claimed on its own, once the digest is sent', async () => {
    const late = event('h-late');
    await held.hold(late, 'Code Review', [digestItem(late)]);
    // the digest is claimed but not yet sent: the late item waits, and is not added to it
    expect(await held.claimDigests(new Date(WINDOW.end))).toBe(0);
    expect(await held.dueSingles(new Date(WINDOW.end))).toEqual([]);
    expect((await held.pendingDigests())[0]?.items).toHaveLength(3);

    await held.markDigestSent('digest:u3:slack:code_review:2030-06-10T22:00:00Z');
    expect(await held.pendingDigests()).toEqual([]);
    const singles = await held.dueSingles(new Date(WINDOW.end));
    expect(singles.map((single) => single.delivery_id)).toEqual(['test:h-late:slack:user-u3']);
    await held.markSent(singles.map((single) => single.delivery_id));
    expect(await held.dueSingles(new Date(WINDOW.end))).toEqual([]);
    expect((await held.forEvent('test', 'h-late'))[0]?.sent_at).not.toBeNull();
  });

  it('holds nothing for a user deleted meanwhile, and drops the held rows of a deleted user', async () => {
    const ghost: Destination = { scope: 'personal', user: { id: 'u-gone', username: 'gone', email: '', full_name: '' } };
    const e = event('h-ghost');
    expect(await held.hold(e, 'Code Review', [{ ...digestItem(e), destination: ghost, delivery_id: deliveryId(e, 'slack', ghost) }])).toBe(
      0,
    );
    const kept = event('h-kept');
    await held.hold(kept, 'Code Review', [
      { ...digestItem(kept), hold: { kind: 'quiet_hours', release_at: WINDOW.end, column: 'code_review' } },
    ]);
    await queryRows(db.em.fork(), sql`delete from gateway.users where id = 'u3'`);
    expect(await held.forEvent('test', 'h-kept')).toEqual([]);
  });
});

describe('purgeSent', () => {
  it('removes sent rows older than the cut-off and keeps the rest', async () => {
    await queryRows(
      db.em.fork(),
      sql`insert into gateway.users (id, username, email, full_name) values ('u3', 'carol', 'carol@example.com', 'Carol')`,
    );
    const old = event('p-old');
    await held.hold(old, 'Code Review', [digestItem(old)]);
    await held.claimDigests(new Date(WINDOW.end));
    await held.markDigestSent('digest:u3:slack:code_review:2030-06-10T22:00:00Z');
    const waiting = event('p-waiting');
    await held.hold(waiting, 'Code Review', [
      { ...digestItem(waiting), hold: { kind: 'quiet_hours', release_at: '2030-06-11T05:00:00.000Z', column: 'code_review' } },
    ]);
    expect(await held.purgeSent(60_000)).toBe(0);
    // a negative age reaches into the future: everything sent goes
    expect(await held.purgeSent(-60_000)).toBe(2);
    expect(await held.forEvent('test', 'p-old')).toEqual([]);
    expect(await held.forEvent('test', 'p-waiting')).toHaveLength(1);
  });
});
