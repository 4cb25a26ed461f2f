/**
 * The alert store against a real PostgreSQL database (one fresh database for this file):
 * pagination, filters, counts, read/delete, idempotent insert and retention.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NewAlert } from './alert.js';
import { AlertStore } from './alert-store.js';
import { decodeCursor } from './cursor.js';
import { createAlertTestDatabase, type AlertTestDatabase } from './testing/test-database.js';

let db: AlertTestDatabase;
let store: AlertStore;
const readAt = new Date('2026-11-23T12:00:00.000Z');

beforeAll(async () => {
  db = await createAlertTestDatabase();
  store = new AlertStore(db.pool, () => readAt);
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  await db.pool.query('delete from alerts.alerts');
});

const at = (minute: number): Date => new Date(Date.UTC(2026, 10, 23, 10, minute, 0, 0));

function newAlert(userId: string, n: number): NewAlert {
  return {
    delivery_id: `e-${userId}-${n}:alert:user-${userId}`,
    user_id: userId,
    title: `Alert ${n}`,
    description: `Description ${n}`,
    url: `https://dojo.example.com/${n}`,
    icon: 'bell',
    source: 'Scan Added',
  };
}

/** Inserts alerts 0…count-1 for a user, alert n at minute n; returns their ids by n. */
async function seed(userId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) ids.push((await store.insert(newAlert(userId, n), at(n))).alert.id);
  return ids;
}

async function countRows(): Promise<number> {
  const result = await db.pool.query<{ n: number }>('select count(*)::int as n from alerts.alerts');
  return result.rows[0]!.n;
}

describe('insert', () => {
  it('stores every field and returns the stored alert', async () => {
    const { created, alert } = await store.insert(newAlert('u1', 1), at(1));
    expect(created).toBe(true);
    expect(alert).toEqual({ ...newAlert('u1', 1), id: expect.any(String), created_at: at(1), read_at: null });
    expect(await store.get('u1', alert.id)).toEqual(alert);
  });

  it('is idempotent on delivery_id: a redelivery creates no second alert and returns the first', async () => {
    const first = await store.insert(newAlert('u1', 1), at(1));
    const again = await store.insert({ ...newAlert('u1', 1), title: 'changed' }, at(5));
    expect(again).toEqual({ created: false, alert: first.alert });
    expect(await countRows()).toBe(1);
  });

  it('refuses a title over 250 characters with a check violation (a permanent error)', async () => {
    await expect(store.insert({ ...newAlert('u1', 1), title: 'x'.repeat(251) })).rejects.toMatchObject({ code: '23514' });
  });
});

describe('list', () => {
  it('pages through alerts newest first with a cursor, without overlap or gap', async () => {
    const ids = await seed('u1', 7);
    await seed('u2', 2);
    const page1 = await store.list({ userId: 'u1', limit: 3 });
    expect(page1.items.map((a) => a.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await store.list({ userId: 'u1', limit: 3, after: decodeCursor(page1.nextCursor!)! });
    expect(page2.items.map((a) => a.id)).toEqual([ids[3], ids[2], ids[1]]);
    const page3 = await store.list({ userId: 'u1', limit: 3, after: decodeCursor(page2.nextCursor!)! });
    expect(page3.items.map((a) => a.id)).toEqual([ids[0]]);
    expect(page3.nextCursor).toBeNull();
  });

  it('gives no next cursor when the last page is exactly full', async () => {
    await seed('u1', 3);
    expect((await store.list({ userId: 'u1', limit: 3 })).nextCursor).toBeNull();
  });

  it('orders alerts created in the same millisecond by id, across pages', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) ids.push((await store.insert(newAlert('u1', n), at(0))).alert.id);
    const expected = [...ids].sort().reverse();
    const page1 = await store.list({ userId: 'u1', limit: 2 });
    const page2 = await store.list({ userId: 'u1', limit: 2, after: decodeCursor(page1.nextCursor!)! });
    expect([...page1.items, ...page2.items].map((a) => a.id)).toEqual(expected);
    expect(page2.nextCursor).toBeNull();
  });

  it('filters unread (true) and read (false) alerts', async () => {
    const ids = await seed('u1', 4);
    await store.markRead('u1', ids[1]!);
    await store.markRead('u1', ids[3]!);
    expect((await store.list({ userId: 'u1', limit: 10, unread: true })).items.map((a) => a.id)).toEqual([ids[2], ids[0]]);
    expect((await store.list({ userId: 'u1', limit: 10, unread: false })).items.map((a) => a.id)).toEqual([ids[3], ids[1]]);
    expect((await store.list({ userId: 'u1', limit: 10 })).items).toHaveLength(4);
  });

  it('lists nothing for a user without alerts', async () => {
    await seed('u1', 2);
    expect(await store.list({ userId: 'nobody', limit: 10 })).toEqual({ items: [], nextCursor: null });
  });
});

describe('count, read and delete', () => {
  it('counts unread and total per user', async () => {
    const ids = await seed('u1', 3);
    await seed('u2', 1);
    await store.markRead('u1', ids[0]!);
    expect(await store.count('u1')).toEqual({ unread: 2, total: 3 });
    expect(await store.count('u2')).toEqual({ unread: 1, total: 1 });
    expect(await store.count('nobody')).toEqual({ unread: 0, total: 0 });
  });

  it("marks one alert read, keeps the first read time, and treats another user's alert as absent", async () => {
    const [id] = await seed('u1', 1);
    const marked = await store.markRead('u1', id!);
    expect(marked?.read_at).toEqual(readAt);
    const later = new AlertStore(db.pool, () => new Date('2027-01-01T00:00:00.000Z'));
    expect((await later.markRead('u1', id!))?.read_at).toEqual(readAt);
    expect(await store.markRead('u2', id!)).toBeNull();
    expect(await store.markRead('u1', 'missing')).toBeNull();
  });

  it("marks all of one user's alerts read and no one else's", async () => {
    const ids = await seed('u1', 3);
    await seed('u2', 2);
    await store.markRead('u1', ids[0]!);
    expect(await store.markAllRead('u1')).toBe(2);
    expect(await store.count('u1')).toEqual({ unread: 0, total: 3 });
    expect(await store.count('u2')).toEqual({ unread: 2, total: 2 });
    expect(await store.markAllRead('u1')).toBe(0);
  });

  it('deletes one alert of its owner only', async () => {
    const ids = await seed('u1', 2);
    expect(await store.delete('u2', ids[0]!)).toBe(false);
    expect(await store.delete('u1', ids[0]!)).toBe(true);
    expect(await store.delete('u1', ids[0]!)).toBe(false);
    expect((await store.list({ userId: 'u1', limit: 10 })).items.map((a) => a.id)).toEqual([ids[1]]);
  });

  it("deletes all of one user's alerts and no one else's", async () => {
    await seed('u1', 3);
    await seed('u2', 2);
    expect(await store.deleteAll('u1')).toBe(3);
    expect(await store.count('u1')).toEqual({ unread: 0, total: 0 });
    expect(await store.count('u2')).toEqual({ unread: 2, total: 2 });
  });
});

describe('applyRetention', () => {
  it('keeps the 2 newest alerts per user (read or not) with MAX=2, and a second run deletes nothing more', async () => {
    const u1 = await seed('u1', 5);
    const u2 = await seed('u2', 3);
    const u3 = await seed('u3', 1);
    await store.markRead('u1', u1[4]!);
    expect(await store.applyRetention(2)).toBe(4);
    expect((await store.list({ userId: 'u1', limit: 10 })).items.map((a) => a.id)).toEqual([u1[4], u1[3]]);
    expect((await store.list({ userId: 'u2', limit: 10 })).items.map((a) => a.id)).toEqual([u2[2], u2[1]]);
    expect((await store.list({ userId: 'u3', limit: 10 })).items.map((a) => a.id)).toEqual([u3[0]]);
    expect(await store.applyRetention(2)).toBe(0);
    expect(await countRows()).toBe(5);
  });

  it('keeps everything with -1', async () => {
    await seed('u1', 4);
    expect(await store.applyRetention(-1)).toBe(0);
    expect(await countRows()).toBe(4);
  });

  it('deletes everything with 0, and a second run deletes nothing more', async () => {
    await seed('u1', 3);
    await seed('u2', 2);
    expect(await store.applyRetention(0)).toBe(5);
    expect(await countRows()).toBe(0);
    expect(await store.applyRetention(0)).toBe(0);
  });

  it.each([-2, 1.5, Number.NaN])('refuses %p', async (max) => {
    await expect(store.applyRetention(max)).rejects.toThrow(/integer ≥ -1/);
  });
});
