import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validationIssues } from '../persistence/testing/expect-issues.js';
import { createTestDatabase, type TestDatabase } from '../persistence/testing/test-database.js';
import { EventTypeRepository } from '../settings/event-type.repository.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { DirectoryRepository } from './directory.repository.js';
import { DirectoryService } from './directory.service.js';

let db: TestDatabase;
let directory: DirectoryService;

const alice = {
  username: 'alice',
  email: 'alice@example.org',
  full_name: 'Alice Liddell',
  active: true,
  superuser: false,
  global_role: null,
  slack_email: 'alice@slack.example.org',
};

beforeAll(async () => {
  db = await createTestDatabase();
  directory = new DirectoryService(db.em, new DirectoryRepository(db.em), new SettingsRepository(db.em), new EventTypeRepository(db.em));
});

afterAll(async () => {
  await db.drop();
});

describe('users', () => {
  it('upsert is idempotent: the first call creates, repeats change nothing but report an update', async () => {
    const first = await directory.upsertUser('u1', alice);
    expect(first.created).toBe(true);
    expect(first.record).toEqual(expect.objectContaining({ id: 'u1', ...alice }));
    const second = await directory.upsertUser('u1', alice);
    expect(second.created).toBe(false);
    expect(second.record).toEqual({ ...first.record, updated_at: second.record.updated_at });
    expect(await db.query('select count(*)::int as n from gateway.users')).toEqual([{ n: 1 }]);
    expect(await db.query('select count(*)::int as n from gateway.personal_settings')).toEqual([{ n: 1 }]);
  });

  it('applies defaults for optional fields and updates changed ones', async () => {
    const { record } = await directory.upsertUser('u2', { username: 'bob' });
    expect(record).toEqual(
      expect.objectContaining({
        username: 'bob',
        email: '',
        full_name: '',
        active: true,
        superuser: false,
        global_role: null,
        slack_email: null,
      }),
    );
    const updated = await directory.upsertUser('u2', { username: 'bobby', superuser: true, global_role: 'Reader' });
    expect(updated.record).toEqual(expect.objectContaining({ username: 'bobby', superuser: true, global_role: 'Reader' }));
    expect(await directory.getUser('u2')).toEqual(updated.record);
  });

  it('refuses a username held by another user, and bad fields, naming them', async () => {
    expect(await validationIssues(directory.upsertUser('u3', { username: 'alice' }))).toEqual([
      { path: 'username', message: 'username "alice" already belongs to user u1' },
    ]);
    const issues = await validationIssues(directory.upsertUser('u3', { username: '', email: 'not-an-address', admin: true }));
    expect(issues.map((issue) => issue.path).sort()).toEqual(['admin', 'email', 'username']);
    expect(await directory.getUser('u3')).toBeNull();
  });

  it('delete removes the user and answers false the second time', async () => {
    await directory.upsertUser('u-del', { username: 'del' });
    expect(await directory.deleteUser('u-del')).toBe(true);
    expect(await directory.deleteUser('u-del')).toBe(false);
    expect(await directory.getUser('u-del')).toBeNull();
  });
});

describe('products, memberships and engagements', () => {
  it('product types and products upsert idempotently; a product needs a known product type', async () => {
    expect((await directory.upsertProductType('pt1', { name: 'Web' })).created).toBe(true);
    expect((await directory.upsertProductType('pt1', { name: 'Web apps' })).created).toBe(false);
    expect((await directory.getProductType('pt1'))?.name).toBe('Web apps');
    expect(await validationIssues(directory.upsertProduct('p1', { name: 'Shop', product_type_id: 'nope' }))).toEqual([
      { path: 'product_type_id', message: 'unknown product type "nope"' },
    ]);
    expect((await directory.upsertProduct('p1', { name: 'Shop', product_type_id: 'pt1' })).created).toBe(true);
    expect((await directory.upsertProduct('p1', { name: 'Shop', product_type_id: 'pt1' })).created).toBe(false);
    expect(await directory.getProduct('p1')).toEqual(expect.objectContaining({ id: 'p1', name: 'Shop', product_type_id: 'pt1' }));
  });

  it('memberships upsert idempotently and answer null for unknown ids', async () => {
    expect(await directory.putProductMember('p1', 'u1', { role: 'Owner' })).toEqual({ scope_id: 'p1', user_id: 'u1', role: 'Owner' });
    expect(await directory.putProductMember('p1', 'u1', { role: 'Reader' })).toEqual({ scope_id: 'p1', user_id: 'u1', role: 'Reader' });
    expect(await directory.listProductMembers('p1')).toEqual([{ scope_id: 'p1', user_id: 'u1', role: 'Reader' }]);
    expect(await directory.putProductMember('p1', 'ghost')).toBeNull();
    expect(await directory.putProductMember('ghost', 'u1')).toBeNull();
    expect(await directory.putProductTypeMember('pt1', 'u2')).toEqual({ scope_id: 'pt1', user_id: 'u2', role: null });
    expect(await directory.removeProductTypeMember('pt1', 'u2')).toBe(true);
    expect(await directory.removeProductTypeMember('pt1', 'u2')).toBe(false);
  });

  it('engagements keep their dates as written and validate status and product', async () => {
    const body = {
      name: 'Q1 pentest',
      product_id: 'p1',
      lead: 'alice',
      target_start: '2026-01-05',
      target_end: '2026-01-31',
      status: 'in_progress',
    };
    const { record, created } = await directory.upsertEngagement('e1', body);
    expect(created).toBe(true);
    expect(record).toEqual(expect.objectContaining({ ...body, id: 'e1' }));
    expect(await directory.getEngagement('e1')).toEqual(record);
    expect((await validationIssues(directory.upsertEngagement('e2', { ...body, status: 'done' }))).map((i) => i.path)).toEqual(['status']);
    expect(
      await validationIssues(directory.upsertEngagement('e2', { ...body, target_start: '2026-02-01', target_end: '2026-01-01' })),
    ).toEqual([{ path: 'target_end', message: 'must not be before target_start' }]);
    expect(await validationIssues(directory.upsertEngagement('e2', { ...body, product_id: 'nope' }))).toEqual([
      { path: 'product_id', message: 'unknown product "nope"' },
    ]);
  });

  it('deleting a product type removes its products, their members and engagements', async () => {
    expect(await directory.deleteProductType('pt1')).toBe(true);
    expect(await directory.getProduct('p1')).toBeNull();
    expect(await directory.getEngagement('e1')).toBeNull();
    expect(await db.query('select * from gateway.product_members')).toEqual([]);
    expect(await directory.getUser('u1')).not.toBeNull();
  });
});
