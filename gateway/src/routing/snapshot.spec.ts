import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOGUE } from '@herald/contracts';
import { row, snapshotInput, userRecord } from './routing.fixture.js';
import { buildSnapshot } from './snapshot.js';

const input = snapshotInput({
  users: [
    userRecord('1', 'admin', { superuser: true, email: ' Admin@Example.COM ' }),
    userRecord('2', 'alice', { slack_email: 'alice@slack.example' }),
    userRecord('3', 'retired', { superuser: true, active: false }),
    userRecord('4', 'fresh'),
  ],
  personal: [
    { user_id: '1', events: row() },
    { user_id: '2', events: row({ scan_added: ['mail'], user_mentioned: ['alert'] }) },
    { user_id: '3', events: row({ scan_added: ['mail'] }) },
  ],
  productSettings: [
    { user_id: '2', product_id: '7', events: row({ scan_added: ['slack'], user_mentioned: ['alert'] }) },
    { user_id: '3', product_id: '7', events: row({ scan_added: ['slack'] }) },
  ],
  channels: [
    { name: 'mail', enabled: true, has_system_destination: true },
    { name: 'slack', enabled: false, has_system_destination: true },
  ],
  systemMailRecipients: ['Ops@Example.com'],
});

describe('buildSnapshot', () => {
  const snapshot = buildSnapshot(input);
  const usernames = (users: readonly { readonly username: string }[] | undefined): string[] => (users ?? []).map((user) => user.username);

  it.each([
    ['scan_added', ['alice', 'fresh']],
    ['user_mentioned', ['alice', 'fresh']],
    ['scan_added_empty', []],
    ['other', ['fresh']],
  ])('indexes the active users with a personal channel for %s', (column, expected) => {
    expect(usernames(snapshot.personalSubscribers.get(column))).toEqual(expected);
  });

  it('indexes product subscribers for product-scoped columns only, active users only', () => {
    expect(usernames(snapshot.productSubscribers.get('7')?.get('scan_added'))).toEqual(['alice']);
    expect(snapshot.productSubscribers.get('7')?.get('user_mentioned')).toBeUndefined();
    expect(snapshot.productRows.get('7')?.get('2')?.['user_mentioned']).toBeUndefined();
  });

  it('fills a missing personal row with the catalogue defaults', () => {
    const fresh = snapshot.usersById.get('4');
    expect(Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, fresh?.personal[type.name]]))).toEqual(
      Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, type.defaultChannels])),
    );
  });

  it('keeps only active superusers, enabled channels plus alert, and lower-cased system addresses', () => {
    expect(usernames(snapshot.activeSuperusers)).toEqual(['admin']);
    expect([...snapshot.enabledChannels].sort()).toEqual(['alert', 'mail']);
    expect([...snapshot.systemMailRecipients]).toEqual(['ops@example.com']);
    expect(snapshot.usersById.get('1')?.mailKey).toBe('admin@example.com');
  });

  it('builds personal destinations without a null slack_email', () => {
    expect(snapshot.usersByUsername.get('alice')?.destination).toEqual({
      scope: 'personal',
      user: { id: '2', username: 'alice', email: 'alice@example.com', full_name: 'Alice Example', slack_email: 'alice@slack.example' },
    });
    expect(Object.keys(snapshot.usersByUsername.get('fresh')?.destination.user ?? {})).toEqual(['id', 'username', 'email', 'full_name']);
  });

  it('marks the mail addresses more than one user has or the system mail goes to as shared, compared case-insensitively, never the empty one', () => {
    const shared = buildSnapshot(
      snapshotInput({
        users: [
          userRecord('1', 'ann', { email: 'Team@Example.com' }),
          userRecord('2', 'ben', { email: 'team@example.com ', active: false }),
          userRecord('3', 'cid', { email: '' }),
          userRecord('4', 'dot', { email: '' }),
          userRecord('5', 'eve', { email: 'eve@example.com' }),
          userRecord('6', 'fay', { email: 'TEAM@example.com' }),
          userRecord('7', 'gus', { email: 'Ops@Example.com' }),
          userRecord('8', 'hal', { email: 'hal@example.com' }),
        ],
        systemMailRecipients: ['ops@example.com '],
      }),
    );
    const sharing = Object.fromEntries([...shared.usersById.values()].map((user) => [user.username, user.mailSharing]));
    expect(sharing).toEqual({
      ann: 'shared',
      ben: 'shared',
      cid: 'none',
      dot: 'none',
      eve: 'unique',
      fay: 'shared',
      gus: 'shared',
      hal: 'unique',
    });
    expect([...snapshot.usersById.values()].map((user) => user.mailSharing)).not.toContain('shared');
  });

  it('indexes product and product-type members as directory users, leaving out records of unknown users', () => {
    const members = buildSnapshot(
      snapshotInput({
        users: [userRecord('1', 'ann'), userRecord('2', 'ben', { active: false })],
        productMembers: [
          { scope_id: 'p1', user_id: '1', role: 'Writer' },
          { scope_id: 'p1', user_id: '2', role: 'Reader' },
          { scope_id: 'p1', user_id: 'gone', role: 'Owner' },
          { scope_id: 'p2', user_id: 'gone', role: 'Owner' },
        ],
        productTypeMembers: [{ scope_id: 't1', user_id: '2', role: null }],
      }),
    );
    const ann = members.usersById.get('1')!;
    const ben = members.usersById.get('2')!;
    expect([ann.index, ben.index]).toEqual([0, 1]);
    expect(members.productMembers.get('p1')?.toArray()).toEqual([0, 1]);
    expect(members.productMembers.has('p2')).toBe(false);
    expect(members.productTypeMembers.get('t1')?.toArray()).toEqual([1]);
  });

  it('keeps the first record of a repeated id or username', () => {
    const repeated = buildSnapshot(
      snapshotInput({ users: [userRecord('1', 'ann'), userRecord('1', 'dup'), userRecord('2', 'ann'), userRecord('3', 'cid')] }),
    );
    expect([...repeated.usersById.values()].map((user) => `${user.id}:${user.username}`)).toEqual(['1:ann', '2:ann', '3:cid']);
    expect([...repeated.usersByUsername.values()].map((user) => `${user.id}:${user.username}`)).toEqual(['1:ann', '3:cid']);
  });

  it('drops blank system mail addresses; an empty global role grants nothing', () => {
    const blank = buildSnapshot(
      snapshotInput({
        users: [userRecord('1', 'ann', { global_role: '' }), userRecord('2', 'ben', { global_role: 'Reader' })],
        systemMailRecipients: ['  ', 'Ops@Example.com'],
      }),
    );
    expect([...blank.systemMailRecipients]).toEqual(['ops@example.com']);
    expect([blank.usersById.get('1')?.hasGlobalRole, blank.usersById.get('2')?.hasGlobalRole]).toEqual([false, true]);
  });

  it('is frozen', () => {
    const alice = snapshot.usersById.get('2');
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(alice)).toBe(true);
    expect(Object.isFrozen(alice?.personal)).toBe(true);
    expect(Object.isFrozen(alice?.personal['scan_added'])).toBe(true);
    expect(Object.isFrozen(snapshot.system)).toBe(true);
    expect(Object.isFrozen(snapshot.personalSubscribers.get('scan_added'))).toBe(true);
  });
});

describe('buildSnapshot: quiet hours and digests (SPEC §3.6)', () => {
  it('gives each user frozen quiet hours and digests, the quiet hours’ time zone for digests, UTC otherwise', () => {
    const quiet = { timezone: 'Asia/Tokyo', windows: [{ days: ['mon'], start: '22:00', end: '06:00' }], bypass: ['other'] };
    const snapshot = buildSnapshot(
      snapshotInput({
        users: [userRecord('1', 'ann'), userRecord('2', 'ben'), userRecord('3', 'cid')],
        personal: [
          { user_id: '1', events: row(), quiet_hours: quiet, digests: { other: { mail: 'hourly' } } },
          { user_id: '2', events: row(), digests: { other: {} } },
        ],
      }),
    );
    const ann = snapshot.usersById.get('1');
    expect(ann?.quietHours).toEqual(quiet);
    expect(ann?.digests).toEqual({ other: { mail: 'hourly' } });
    expect(ann?.timeZone).toBe('Asia/Tokyo');
    expect(Object.isFrozen(ann?.quietHours?.windows[0]?.days)).toBe(true);
    expect(Object.isFrozen(ann?.digests['other'])).toBe(true);
    for (const id of ['2', '3']) {
      const user = snapshot.usersById.get(id);
      expect(user?.quietHours).toBeUndefined();
      expect(user?.digests).toEqual({});
      expect(user?.timeZone).toBe('UTC');
    }
  });

  it('shares one empty digests and filters value, keeps only set filter fields, and indexes product filters only where a row has one', () => {
    const quiet = { timezone: 'UTC', windows: [{ days: ['mon'], start: '22:00', end: '06:00' }], bypass: [] };
    const snapshot = buildSnapshot(
      snapshotInput({
        users: [userRecord('1', 'ann'), userRecord('2', 'ben'), userRecord('3', 'cid')],
        personal: [
          { user_id: '1', events: row(), quiet_hours: quiet, digests: { other: {} }, filters: {} },
          { user_id: '2', events: row(), quiet_hours: quiet, digests: {}, filters: {} },
          { user_id: '3', events: row(), filters: { scan_added: { tags_any: ['prod'] } } },
        ],
        productSettings: [
          { user_id: '1', product_id: '7', events: row({ scan_added: ['mail'] }), filters: {} },
          { user_id: '2', product_id: '8', events: row({ scan_added: ['mail'] }), filters: { scan_added: { min_severity: 'High' } } },
        ],
      }),
    );
    const ann = snapshot.usersById.get('1')!;
    const ben = snapshot.usersById.get('2')!;
    const cid = snapshot.usersById.get('3')!;
    expect(ann.digests).toBe(ben.digests);
    expect(ann.digests).toBe(cid.digests);
    expect(ann.personalFilters).toBe(ben.personalFilters);
    expect(cid.personalFilters).toStrictEqual({ scan_added: { tags_any: ['prod'] } });
    expect([...snapshot.productFilters.keys()]).toEqual(['8']);
    expect(snapshot.productFilters.get('8')?.get('2')).toStrictEqual({ scan_added: { min_severity: 'High' } });
  });
});
