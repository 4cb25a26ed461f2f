import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOGUE, deliveryId, type EventData, type EventTypeDefinition, type HeraldEvent } from '@herald/contracts';
import { alertSource } from './alert-source.js';
import type { Decision, SystemDecision, UserDecision } from './decision.js';
import { route, routeInChunks, type RouteResult } from './route.js';
import { ALL_CHANNELS_ON, NOW, SITE_URL, heraldEvent, planned, row, snapshotInput, userRecord } from './routing.fixture.js';
import { buildSnapshot } from './snapshot.js';
import type { SnapshotInput, UserRecord } from './snapshot-input.js';

/*
 * The directory every case starts from:
 *   product 7 "Web" (type 3), product 8 "Mobile" (type 4)
 *   admin  (1) superuser            alice (2) member of product 7
 *   bob    (3) member of type 3     carol (4) global role Reader
 *   dave   (5) member of product 8  erin  (6) member of product 7, inactive
 *   frank  (8) member of type 4
 */
const ADMIN = userRecord('1', 'admin', { superuser: true });
const ALICE = userRecord('2', 'alice');
const BOB = userRecord('3', 'bob');
const CAROL = userRecord('4', 'carol', { global_role: 'Reader' });
const DAVE = userRecord('5', 'dave');
const ERIN = userRecord('6', 'erin', { active: false });
const FRANK = userRecord('8', 'frank');
const USERS = [ADMIN, ALICE, BOB, CAROL, DAVE, ERIN, FRANK];

const WEB = { id: '7', name: 'Web' };
const MOBILE = { id: '8', name: 'Mobile' };

type Columns = Readonly<Record<string, readonly string[]>>;

interface World {
  readonly users?: readonly UserRecord[];
  /** Username → personal columns; users not named get an all-empty row. */
  readonly personal?: Readonly<Record<string, Columns>>;
  /** Usernames with no stored personal row at all. */
  readonly withoutPersonal?: readonly string[];
  readonly product?: ReadonlyArray<readonly [username: string, productId: string, columns: Columns]>;
  readonly system?: Columns | null;
  readonly channels?: SnapshotInput['channels'];
  readonly systemMailRecipients?: readonly string[];
  readonly systemLevelTrump?: readonly string[];
  readonly eventTypes?: readonly EventTypeDefinition[];
}

function world(w: World = {}): SnapshotInput {
  const users = w.users ?? USERS;
  const idOf = (username: string): string => {
    const found = users.find((user) => user.username === username);
    if (found === undefined) throw new Error(`test world has no user ${username}`);
    return found.id;
  };
  return snapshotInput({
    users,
    productTypes: [
      { id: '3', name: 'Internal' },
      { id: '4', name: 'Customer' },
    ],
    products: [
      { id: '7', name: 'Web', product_type_id: '3' },
      { id: '8', name: 'Mobile', product_type_id: '4' },
    ],
    productMembers: [
      { scope_id: '7', user_id: '2', role: 'Writer' },
      { scope_id: '7', user_id: '6', role: 'Writer' },
      { scope_id: '8', user_id: '5', role: 'Reader' },
    ],
    productTypeMembers: [
      { scope_id: '3', user_id: '3', role: 'Reader' },
      { scope_id: '4', user_id: '8', role: 'Reader' },
    ],
    eventTypes: w.eventTypes ?? EVENT_CATALOGUE,
    system: w.system === null ? null : row(w.system ?? {}),
    personal: users
      .filter((user) => !(w.withoutPersonal ?? []).includes(user.username))
      .map((user) => ({ user_id: user.id, events: row(w.personal?.[user.username] ?? {}) })),
    productSettings: (w.product ?? []).map(([username, productId, columns]) => ({
      user_id: idOf(username),
      product_id: productId,
      events: row(columns),
    })),
    channels: w.channels ?? ALL_CHANNELS_ON,
    systemMailRecipients: w.systemMailRecipients ?? [],
    systemLevelTrump: w.systemLevelTrump ?? ['user_mentioned', 'review_requested'],
  });
}

function run(w: World, event: HeraldEvent): RouteResult {
  return route(event, buildSnapshot(world(w)), { siteUrl: SITE_URL, now: NOW });
}

function everyone(column: string, channels: readonly string[]): Record<string, Columns> {
  return Object.fromEntries(USERS.map((user) => [user.username, { [column]: channels }]));
}

function channelsWith(name: string, change: Partial<SnapshotInput['channels'][number]>): SnapshotInput['channels'] {
  return ALL_CHANNELS_ON.map((channel) => (channel.name === name ? { ...channel, ...change } : channel));
}

function systemDecision(result: RouteResult): SystemDecision | undefined {
  return result.decisions.find((decision): decision is SystemDecision => decision.scope === 'system');
}

function userDecision(result: RouteResult, username: string): UserDecision | undefined {
  return result.decisions.find((decision): decision is UserDecision => decision.scope === 'user' && decision.username === username);
}

const scanOnWeb = (data: Partial<EventData> = {}): HeraldEvent => heraldEvent('scan_added', { product: WEB, ...data });

interface DeliveryCase {
  readonly name: string;
  readonly world: World;
  readonly event: HeraldEvent;
  readonly expected: readonly string[];
}

function deliveryCases(cases: readonly DeliveryCase[]): void {
  it.each(cases)('$name', ({ world: w, event, expected }) => {
    expect(planned(run(w, event))).toEqual([...expected].sort());
  });
}

describe('route: preference column', () => {
  const MY_EVENT: EventTypeDefinition = { name: 'my_event', label: 'My Own Event', defaultChannels: ['alert'], productScoped: false };

  it.each([
    ['scan_added', 'scan_added'],
    ['engagement_closed', 'close_engagement'],
    ['dummy_foo_event', 'other'],
    ['other', 'other'],
  ])('%s is routed by the %s column', (type, column) => {
    expect(run({}, heraldEvent(type)).column).toBe(column);
  });

  deliveryCases([
    {
      name: 'an unknown event type uses the other column',
      world: { system: { other: ['slack'], scan_added: ['mail'] } },
      event: heraldEvent('dummy_foo_event'),
      expected: ['slack:system', 'slack:user-1'],
    },
    {
      name: 'engagement_closed uses close_engagement, not other (DefectDojo defect)',
      world: { system: { close_engagement: ['slack'], other: ['mail'] } },
      event: heraldEvent('engagement_closed', { engagement: { id: '11', name: 'Q4', product: WEB } }),
      expected: ['slack:system', 'slack:user-1'],
    },
    {
      name: 'a registered event type uses its own column; personal rows saved before it take its defaults',
      world: { eventTypes: [...EVENT_CATALOGUE, MY_EVENT], system: { other: ['mail'], my_event: ['slack'] } },
      event: heraldEvent('my_event'),
      expected: ['slack:system', 'slack:user-1', 'alert:user-1'],
    },
  ]);

  it.each([
    ['scan_added', 'Scan Added'],
    ['sla_breach_combined', 'SLA Breach (Combined)'],
    ['engagement_closed', 'Close Engagement'],
    ['other', 'Other'],
    ['dummy_foo_event', 'Dummy Foo Event'],
    ['my_event', 'My Own Event'],
  ])('the alert source of %s is "%s"', (type, source) => {
    expect(alertSource(type, buildSnapshot(world({ eventTypes: [...EVENT_CATALOGUE, MY_EVENT] })))).toBe(source);
  });
});

describe('route: merging settings rows', () => {
  deliveryCases([
    {
      name: 'personal ∪ product row, scan_added_empty included (DefectDojo leaves it out)',
      world: { personal: { alice: { scan_added_empty: ['mail'] } }, product: [['alice', '7', { scan_added_empty: ['slack'] }]] },
      event: heraldEvent('scan_added_empty', { product: WEB }),
      expected: ['mail:user-2', 'slack:user-2'],
    },
    {
      name: 'overlapping personal and product rows give each channel once',
      world: { personal: { alice: { scan_added: ['mail', 'alert'] } }, product: [['alice', '7', { scan_added: ['alert', 'slack'] }]] },
      event: scanOnWeb(),
      expected: ['alert:user-2', 'mail:user-2', 'slack:user-2'],
    },
    {
      name: 'a product row alone makes a candidate',
      world: { product: [['bob', '7', { scan_added: ['slack'] }]] },
      event: scanOnWeb(),
      expected: ['slack:user-3'],
    },
    {
      name: "another product's row is not merged",
      world: { product: [['alice', '8', { scan_added: ['slack'] }]] },
      event: scanOnWeb(),
      expected: [],
    },
    {
      name: 'a product row cannot turn on columns that are not product-scoped (DefectDojo defect)',
      world: { product: [['alice', '7', { other: ['alert'], user_mentioned: ['alert'] }]] },
      event: heraldEvent('other', { product: WEB }),
      expected: [],
    },
    {
      name: 'a user without a personal row gets the catalogue defaults',
      world: { withoutPersonal: ['alice'] },
      event: scanOnWeb(),
      expected: ['alert:user-2'],
    },
    {
      name: 'the default for scan_added_empty is no channel',
      world: { withoutPersonal: ['alice'] },
      event: heraldEvent('scan_added_empty', { product: WEB }),
      expected: [],
    },
    {
      name: 'a never-saved system row takes the catalogue defaults',
      world: { system: null },
      event: scanOnWeb(),
      expected: ['alert:user-1'],
    },
  ]);

  it('records which rows a user’s channels were merged from', () => {
    const result = run(
      { personal: { alice: { scan_added_empty: ['mail'] } }, product: [['alice', '7', { scan_added_empty: ['slack'] }]] },
      heraldEvent('scan_added_empty', { product: WEB }),
    );
    expect(userDecision(result, 'alice')).toEqual({
      scope: 'user',
      user_id: '2',
      username: 'alice',
      channels: ['mail', 'slack'],
      merged_from: ['personal', 'product'],
      skipped: [],
    });
  });
});

describe('route: system-level trump on the recipients path', () => {
  it.each([
    { system: [], personal: [], expected: [] },
    { system: [], personal: ['mail'], expected: ['mail:user-2'] },
    { system: ['mail'], personal: [], expected: ['mail:user-2'] },
    { system: ['mail'], personal: ['mail'], expected: ['mail:user-2'] },
  ])('user_mentioned with system $system and personal $personal', ({ system, personal, expected }) => {
    const result = run(
      { system: { user_mentioned: system }, personal: { alice: { user_mentioned: personal } } },
      heraldEvent('user_mentioned', { recipients: ['alice'] }),
    );
    expect(planned(result)).toEqual(expected);
  });

  deliveryCases([
    {
      name: 'an event outside the trump list ignores the system row',
      world: { system: { code_review: ['mail'] } },
      event: heraldEvent('code_review', { recipients: ['alice'] }),
      expected: [],
    },
    {
      name: 'review_requested trumps by default',
      world: { system: { review_requested: ['slack'] } },
      event: heraldEvent('review_requested', { recipients: ['alice'] }),
      expected: ['slack:user-2'],
    },
    {
      name: 'the trump merge does not leak one recipient’s channels to the next (DefectDojo defect)',
      world: { system: { user_mentioned: ['alert'] }, personal: { alice: { user_mentioned: ['mail'] } } },
      event: heraldEvent('user_mentioned', { recipients: ['alice', 'bob'] }),
      expected: ['alert:user-2', 'mail:user-2', 'alert:user-3'],
    },
    {
      name: 'a configured trump list replaces the default (user_mentioned no longer trumps)',
      world: { systemLevelTrump: ['code_review'], system: { user_mentioned: ['mail'], code_review: ['mail'] } },
      event: heraldEvent('user_mentioned', { recipients: ['alice'] }),
      expected: [],
    },
    {
      name: 'an unknown type named in the trump list trumps with the system row’s other column',
      world: { systemLevelTrump: ['dummy_foo_event'], system: { other: ['slack'] } },
      event: heraldEvent('dummy_foo_event', { recipients: ['alice'] }),
      expected: ['slack:user-2'],
    },
    {
      name: 'an unknown type not in the trump list ignores the system row',
      world: { system: { other: ['slack'] } },
      event: heraldEvent('dummy_foo_event', { recipients: ['alice'] }),
      expected: [],
    },
    {
      name: 'an alias named in the trump list trumps with its target column (engagement_closed → close_engagement)',
      world: { systemLevelTrump: ['engagement_closed'], system: { close_engagement: ['slack'] } },
      event: heraldEvent('engagement_closed', { recipients: ['alice'] }),
      expected: ['slack:user-2'],
    },
    {
      name: 'the target column named in the trump list trumps its alias',
      world: { systemLevelTrump: ['close_engagement'], system: { close_engagement: ['slack'] } },
      event: heraldEvent('engagement_closed', { recipients: ['alice'] }),
      expected: ['slack:user-2'],
    },
    {
      name: 'an alias not in the trump list ignores the system row',
      world: { system: { close_engagement: ['slack'] } },
      event: heraldEvent('engagement_closed', { recipients: ['alice'] }),
      expected: [],
    },
    {
      name: 'a configured trump list replaces the default (code_review trumps)',
      world: { systemLevelTrump: ['code_review'], system: { user_mentioned: ['mail'], code_review: ['mail'] } },
      event: heraldEvent('code_review', { recipients: ['alice'] }),
      expected: ['mail:user-2'],
    },
  ]);

  it.each([
    { type: 'user_mentioned', system: [], reason: 'personal and system settings have no channel for user_mentioned' },
    { type: 'code_review', system: ['mail'], reason: 'personal settings have no channel for code_review' },
  ])('says why a $type recipient gets nothing', ({ type, system, reason }) => {
    const result = run({ system: { [type]: system } }, heraldEvent(type, { recipients: ['alice'] }));
    expect(userDecision(result, 'alice')).toEqual({
      scope: 'user',
      user_id: '2',
      username: 'alice',
      channels: [],
      merged_from: [],
      skipped: [],
      reason,
    });
  });
});

describe('route: recipients path', () => {
  deliveryCases([
    {
      name: 'an empty list sends nothing',
      world: { system: { user_mentioned: ['slack', 'alert'] }, personal: everyone('user_mentioned', ['alert']) },
      event: heraldEvent('user_mentioned', { recipients: [] }),
      expected: [],
    },
    {
      name: 'unknown usernames are skipped',
      world: { personal: { alice: { user_mentioned: ['alert'] } } },
      event: heraldEvent('user_mentioned', { recipients: ['alice', 'nobody'] }),
      expected: ['alert:user-2'],
    },
    {
      name: 'no product check: a non-member listed by name receives it',
      world: { personal: { dave: { scan_added: ['mail'] } } },
      event: scanOnWeb({ recipients: ['dave'] }),
      expected: ['mail:user-5'],
    },
    {
      name: 'no system pass: no system destination, no superuser alert',
      world: {
        system: { scan_added: ['slack', 'alert', 'mail'] },
        personal: { alice: { scan_added: ['alert'] } },
        systemMailRecipients: ['ops@example.com'],
      },
      event: scanOnWeb({ recipients: ['alice'] }),
      expected: ['alert:user-2'],
    },
    {
      name: 'an inactive listed user is skipped',
      world: { personal: everyone('user_mentioned', ['alert']) },
      event: heraldEvent('user_mentioned', { recipients: ['erin'] }),
      expected: [],
    },
    {
      name: 'the product row is not used',
      world: { personal: { alice: { scan_added: ['mail'] } }, product: [['alice', '7', { scan_added: ['slack'] }]] },
      event: scanOnWeb({ recipients: ['alice'] }),
      expected: ['mail:user-2'],
    },
    {
      name: 'msteams is excluded even when the system row trumps',
      world: { system: { user_mentioned: ['msteams', 'alert'] } },
      event: heraldEvent('user_mentioned', { recipients: ['alice'] }),
      expected: ['alert:user-2'],
    },
    {
      name: 'a name listed twice is routed once',
      world: { personal: { alice: { user_mentioned: ['alert', 'mail'] } } },
      event: heraldEvent('user_mentioned', { recipients: ['alice', 'alice'] }),
      expected: ['alert:user-2', 'mail:user-2'],
    },
    {
      name: 'no_users does not silence named recipients',
      world: { personal: { alice: { user_mentioned: ['alert'] } } },
      event: heraldEvent('user_mentioned', { recipients: ['alice'], no_users: true }),
      expected: ['alert:user-2'],
    },
    {
      name: 'alert_only keeps only the alert',
      world: { personal: { alice: { user_mentioned: ['mail', 'alert'] } } },
      event: heraldEvent('user_mentioned', { recipients: ['alice'], alert_only: true }),
      expected: ['alert:user-2'],
    },
  ]);

  it('an empty list is explained, with no per-user decisions', () => {
    expect(run({}, heraldEvent('user_mentioned', { recipients: [] })).decisions).toEqual([
      {
        scope: 'system',
        channels: [],
        alert_user_ids: [],
        skipped: [],
        reason: 'the event names its recipients: the system pass does not run',
      },
      { scope: 'users', reason: 'the recipients list is empty: nothing is sent' },
    ]);
  });

  it('reports unknown and inactive names, and routes each name once', () => {
    const result = run(
      { personal: everyone('user_mentioned', ['alert']) },
      heraldEvent('user_mentioned', { recipients: ['alice', 'nobody', 'erin', 'alice'] }),
    );
    expect(result.decisions).toEqual([
      {
        scope: 'system',
        channels: [],
        alert_user_ids: [],
        skipped: [],
        reason: 'the event names its recipients: the system pass does not run',
      },
      { scope: 'user', user_id: '2', username: 'alice', channels: ['alert'], merged_from: ['personal'], skipped: [] },
      { scope: 'recipient', username: 'nobody', reason: 'unknown username nobody' },
      { scope: 'user', user_id: '6', username: 'erin', channels: [], merged_from: ['personal'], skipped: [], reason: 'user is inactive' },
    ]);
  });
});

describe('route: broadcast authorization', () => {
  const subscribed: World = { personal: everyone('scan_added', ['alert']) };
  const product7Viewers = ['alert:user-1', 'alert:user-2', 'alert:user-3', 'alert:user-4'];

  deliveryCases([
    {
      name: 'product scope: product member, product-type member, global role and superuser; not a subscribed non-member',
      world: subscribed,
      event: scanOnWeb(),
      expected: product7Viewers,
    },
    {
      name: 'product from data.engagement.product',
      world: subscribed,
      event: heraldEvent('scan_added', { engagement: { id: '11', name: 'Q4', product: WEB } }),
      expected: product7Viewers,
    },
    {
      name: 'product from data.test.engagement.product',
      world: subscribed,
      event: heraldEvent('scan_added', { test: { id: '12', name: 'ZAP', engagement: { id: '11', name: 'Q4', product: WEB } } }),
      expected: product7Viewers,
    },
    {
      name: 'product from data.finding.test.engagement.product',
      world: subscribed,
      event: heraldEvent('scan_added', {
        finding: { id: '13', name: 'XSS', test: { id: '12', name: 'ZAP', engagement: { id: '11', name: 'Q4', product: WEB } } },
      }),
      expected: product7Viewers,
    },
    {
      name: 'the most specific object wins: the finding’s product 8, not data.product 7',
      world: subscribed,
      event: heraldEvent('scan_added', {
        product: WEB,
        finding: { id: '13', name: 'XSS', test: { id: '12', name: 'ZAP', engagement: { id: '11', name: 'Q4', product: MOBILE } } },
      }),
      expected: ['alert:user-1', 'alert:user-4', 'alert:user-5', 'alert:user-8'],
    },
    {
      name: 'a product unknown to the directory takes its type from the nested product_type',
      world: subscribed,
      event: scanOnWeb({ product: { id: '9', name: 'New', product_type: { id: '3', name: 'Internal' } } }),
      expected: ['alert:user-1', 'alert:user-3', 'alert:user-4'],
    },
    {
      name: 'a product unknown to the directory takes its type from product_type_id',
      world: subscribed,
      event: scanOnWeb({ product: { id: '9', name: 'New', product_type_id: '4' } }),
      expected: ['alert:user-1', 'alert:user-4', 'alert:user-8'],
    },
    {
      name: 'the directory’s product type wins over the event’s',
      world: subscribed,
      event: scanOnWeb({ product: { id: '7', name: 'Web', product_type_id: '4' } }),
      expected: product7Viewers,
    },
    {
      name: 'authorization uses the recipient, not the actor (actor is a superuser)',
      world: subscribed,
      event: scanOnWeb({ actor: { id: '1', username: 'admin' } }),
      expected: product7Viewers,
    },
    {
      name: 'authorization uses the recipient, not the actor (actor is a non-member)',
      world: subscribed,
      event: scanOnWeb({ actor: { id: '5', username: 'dave' } }),
      expected: product7Viewers,
    },
    {
      name: 'product-type-only scope: type member, global role and superuser; not a product member',
      world: subscribed,
      event: heraldEvent('scan_added', { product_type: { id: '3', name: 'Internal' } }),
      expected: ['alert:user-1', 'alert:user-3', 'alert:user-4'],
    },
    { name: 'no scope: superusers only', world: subscribed, event: heraldEvent('scan_added'), expected: ['alert:user-1'] },
  ]);

  it.each([
    { name: 'product', event: scanOnWeb(), username: 'dave', reason: 'no access to product 7' },
    {
      name: 'product type',
      event: heraldEvent('scan_added', { product_type: { id: '3', name: 'Internal' } }),
      username: 'alice',
      reason: 'no access to product type 3',
    },
    {
      name: 'no',
      event: heraldEvent('scan_added'),
      username: 'carol',
      reason: 'the event has no product or product type scope: only superusers receive it',
    },
  ])('says why a subscriber is excluded with $name scope', ({ event, username, reason }) => {
    const decision = userDecision(run(subscribed, event), username);
    expect(decision).toEqual({
      scope: 'user',
      user_id: expect.any(String),
      username,
      channels: [],
      merged_from: ['personal'],
      skipped: [],
      reason,
    });
  });

  it('a stale product row after a membership was removed sends nothing', () => {
    // dave left product 7 (he is a member of product 8 only) but his product row for 7 remains:
    // it makes him a candidate, and the authorization check must still exclude him.
    const result = run({ product: [['dave', '7', { scan_added: ['alert', 'mail'] }]] }, scanOnWeb());
    expect(planned(result)).toEqual([]);
    expect(userDecision(result, 'dave')).toEqual({
      scope: 'user',
      user_id: '5',
      username: 'dave',
      channels: [],
      merged_from: ['product'],
      skipped: [],
      reason: 'no access to product 7',
    });
  });

  it('an empty product row makes nobody a candidate: decisions and deliveries are unchanged', () => {
    const base: World = { personal: { alice: { scan_added: ['alert'] } } };
    const emptyRows: World = {
      ...base,
      product: [
        ['alice', '7', {}],
        ['bob', '7', {}],
        ['carol', '7', { scan_added: [], user_mentioned: ['mail'] }],
      ],
    };
    const before = run(base, scanOnWeb());
    const after = run(emptyRows, scanOnWeb());
    expect(after).toEqual(before);
    const considered = after.decisions.flatMap((decision) => (decision.scope === 'user' ? [decision.username] : []));
    expect(considered).toEqual(['alice', 'admin']);
  });

  it('a superuser stays a candidate for a column the directory’s event types lack', () => {
    // Without an `other` event type nothing indexes the column, but the superuser's stored row has it.
    const eventTypes = EVENT_CATALOGUE.filter((type) => type.name !== 'other');
    const result = run({ eventTypes, personal: { admin: { other: ['alert'] } } }, heraldEvent('dummy_foo_event'));
    expect(result.column).toBe('other');
    expect(planned(result)).toEqual(['alert:user-1']);
    expect(userDecision(result, 'admin')).toEqual({
      scope: 'user',
      user_id: '1',
      username: 'admin',
      channels: ['alert'],
      merged_from: ['personal'],
      skipped: [],
    });
  });

  it('a superuser with a product row for the event’s product has one decision', () => {
    const result = run({ product: [['admin', '7', { scan_added: ['alert'] }]] }, scanOnWeb());
    expect(result.decisions.filter((decision) => decision.scope === 'user')).toEqual([
      { scope: 'user', user_id: '1', username: 'admin', channels: ['alert'], merged_from: ['product'], skipped: [] },
    ]);
    expect(planned(result)).toEqual(['alert:user-1']);
  });

  it('an address shared with a user who got no mail still gets its mail', () => {
    const shared = USERS.map((user) =>
      user.username === 'alice' || user.username === 'bob' ? { ...user, email: 'team@example.com' } : user,
    );
    const result = run({ users: shared, personal: { alice: { scan_added: ['alert'] }, bob: { scan_added: ['mail'] } } }, scanOnWeb());
    expect(planned(result)).toEqual(['alert:user-2', 'mail:user-3']);
  });

  it('has a decision for every candidate and none for inactive users', () => {
    const result = run(subscribed, scanOnWeb());
    const usernames = result.decisions.map((decision: Decision) => (decision.scope === 'user' ? decision.username : decision.scope));
    expect(usernames.sort()).toEqual(['admin', 'alice', 'bob', 'carol', 'dave', 'frank', 'system']);
  });
});

describe('route: broadcast channels', () => {
  const root = userRecord('10', 'root', { superuser: true });
  const retired = userRecord('11', 'retired', { superuser: true, active: false });

  deliveryCases([
    {
      name: 'a superuser inherits the system row',
      world: { system: { scan_added: ['slack', 'mail'] }, systemMailRecipients: ['ops@example.com'] },
      event: scanOnWeb(),
      expected: ['mail:system', 'slack:system', 'mail:user-1', 'slack:user-1'],
    },
    {
      name: 'no_users: system pass only',
      world: { system: { scan_added: ['slack', 'alert'] }, personal: { alice: { scan_added: ['mail'] } } },
      event: scanOnWeb({ no_users: true }),
      expected: ['slack:system', 'alert:user-1'],
    },
    {
      name: 'alert_only: only the alert channel, in both passes',
      world: { system: { scan_added: ['slack', 'alert'] }, personal: { alice: { scan_added: ['mail', 'alert'] } } },
      event: scanOnWeb({ alert_only: true }),
      expected: ['alert:user-1', 'alert:user-2'],
    },
    {
      name: 'alert_only without any alert subscription sends nothing',
      world: { system: { scan_added: ['slack'] }, personal: { alice: { scan_added: ['mail'] } } },
      event: scanOnWeb({ alert_only: true }),
      expected: [],
    },
    {
      name: 'msteams only in the system pass',
      world: { system: { scan_added: ['msteams'] }, personal: { alice: { scan_added: ['msteams', 'mail'] } } },
      event: scanOnWeb(),
      expected: ['msteams:system', 'mail:user-2'],
    },
    {
      name: 'a disabled channel is excluded in both passes',
      world: {
        system: { scan_added: ['slack', 'alert'] },
        personal: { alice: { scan_added: ['slack', 'mail'] } },
        channels: channelsWith('slack', { enabled: false }),
      },
      event: scanOnWeb(),
      expected: ['alert:user-1', 'mail:user-2'],
    },
    {
      name: 'an unconfigured channel is excluded',
      world: { system: { scan_added: ['discord'] }, personal: { alice: { scan_added: ['discord'] } } },
      event: scanOnWeb(),
      expected: [],
    },
    {
      name: 'alert cannot be disabled',
      world: { personal: { alice: { scan_added: ['alert'] } }, channels: channelsWith('alert', { enabled: false }) },
      event: scanOnWeb(),
      expected: ['alert:user-2'],
    },
    {
      name: 'an enabled channel without a system destination is skipped at system scope only',
      world: {
        system: { scan_added: ['slack'] },
        personal: { alice: { scan_added: ['slack'] } },
        channels: channelsWith('slack', { has_system_destination: false }),
      },
      event: scanOnWeb(),
      expected: ['slack:user-1', 'slack:user-2'],
    },
    {
      name: 'system alert: one alert per active superuser, one each even when they subscribe too',
      world: {
        users: [...USERS, root, retired],
        system: { scan_added: ['alert'] },
        personal: { admin: { scan_added: ['alert'] }, root: { scan_added: ['alert'] }, retired: { scan_added: ['alert'] } },
      },
      event: heraldEvent('scan_added'),
      expected: ['alert:user-1', 'alert:user-10'],
    },
    {
      name: 'system alert with no active superuser sends nothing',
      world: { users: [ALICE, retired], system: { scan_added: ['alert'] } },
      event: scanOnWeb(),
      expected: [],
    },
  ]);

  it('decisions say which channels were refused and why', () => {
    const result = run(
      {
        users: [...USERS, root],
        system: { scan_added: ['slack', 'msteams', 'discord', 'alert', 'webhooks'] },
        personal: { alice: { scan_added: ['slack', 'msteams', 'mail'] } },
        channels: channelsWith('slack', { enabled: false }).map((channel) =>
          channel.name === 'webhooks' ? { ...channel, has_system_destination: false } : channel,
        ),
      },
      scanOnWeb(),
    );
    expect(systemDecision(result)).toEqual({
      scope: 'system',
      channels: ['msteams', 'alert'],
      alert_user_ids: ['1', '10'],
      skipped: [
        { channel: 'slack', reason: 'channel slack is disabled' },
        { channel: 'discord', reason: 'channel discord is not configured' },
        { channel: 'webhooks', reason: 'channel webhooks has no system destination configured' },
      ],
    });
    expect(userDecision(result, 'alice')).toEqual({
      scope: 'user',
      user_id: '2',
      username: 'alice',
      channels: ['mail'],
      merged_from: ['personal'],
      skipped: [
        { channel: 'slack', reason: 'channel slack is disabled' },
        { channel: 'msteams', reason: 'msteams is system-scope only' },
      ],
    });
    expect(userDecision(result, 'admin')).toEqual({
      scope: 'user',
      user_id: '1',
      username: 'admin',
      channels: ['webhooks'],
      merged_from: ['system'],
      skipped: [
        { channel: 'slack', reason: 'channel slack is disabled' },
        { channel: 'msteams', reason: 'msteams is system-scope only' },
        { channel: 'discord', reason: 'channel discord is not configured' },
        { channel: 'alert', reason: 'already receives the system alert' },
      ],
    });
    expect(planned(result)).toEqual(
      ['alert:user-1', 'alert:user-10', 'msteams:system', 'webhooks:user-1', 'webhooks:user-10', 'mail:user-2'].sort(),
    );
  });

  it('no_users and alert_only are explained', () => {
    const noUsers = run(
      { system: { scan_added: ['slack'] }, personal: { alice: { scan_added: ['mail'] } } },
      scanOnWeb({ no_users: true }),
    );
    expect(noUsers.decisions).toEqual([
      { scope: 'system', channels: ['slack'], alert_user_ids: [], skipped: [] },
      { scope: 'users', reason: 'no_users: only the system pass runs' },
    ]);
    const alertOnly = run(
      { system: { scan_added: ['slack'] }, personal: { alice: { scan_added: ['mail'] } } },
      scanOnWeb({ alert_only: true }),
    );
    expect(userDecision(alertOnly, 'alice')?.skipped).toEqual([{ channel: 'mail', reason: 'alert_only: only the alert channel is used' }]);
    expect(systemDecision(alertOnly)?.skipped).toEqual([{ channel: 'slack', reason: 'alert_only: only the alert channel is used' }]);
  });

  it.each([
    { type: 'scan_added', reason: 'personal, product and system settings have no channel for scan_added' },
    { type: 'other', reason: 'personal and system settings have no channel for other' },
  ])('a superuser with nothing for $type is told which rows were merged', ({ type, reason }) => {
    const result = run({}, heraldEvent(type, { product: WEB }));
    expect(result.decisions).toEqual([
      { scope: 'system', channels: [], alert_user_ids: [], skipped: [] },
      { scope: 'user', user_id: '1', username: 'admin', channels: [], merged_from: [], skipped: [], reason },
    ]);
  });

  it('a system alert with no active superuser is explained', () => {
    const result = run({ users: [ALICE, retired], system: { scan_added: ['alert'] } }, scanOnWeb());
    expect(systemDecision(result)).toEqual({
      scope: 'system',
      channels: [],
      alert_user_ids: [],
      skipped: [{ channel: 'alert', reason: 'no active superuser to receive the system alert' }],
    });
  });
});

describe('route: one mail per address per event', () => {
  const sharing = [ADMIN, { ...ALICE, email: 'shared@example.com' }, { ...BOB, email: 'Shared@Example.com' }];

  deliveryCases([
    {
      name: 'a system mail recipient gets no personal mail when the system mail is sent',
      world: {
        system: { scan_added: ['mail'] },
        systemMailRecipients: ['alice@example.com'],
        personal: { alice: { scan_added: ['mail'] } },
      },
      event: scanOnWeb(),
      expected: ['mail:system', 'mail:user-1'],
    },
    {
      name: 'addresses are compared case-insensitively',
      world: {
        users: [ADMIN, { ...ALICE, email: 'Alice@EXAMPLE.com' }],
        system: { scan_added: ['mail'] },
        systemMailRecipients: ['ALICE@example.com'],
        personal: { alice: { scan_added: ['mail'] } },
      },
      event: scanOnWeb(),
      expected: ['mail:system', 'mail:user-1'],
    },
    {
      name: 'a system mail recipient gets a personal mail when no system mail is sent',
      world: {
        system: { scan_added: ['slack'] },
        systemMailRecipients: ['alice@example.com'],
        personal: { alice: { scan_added: ['mail'] } },
      },
      event: scanOnWeb(),
      expected: ['slack:system', 'slack:user-1', 'mail:user-2'],
    },
    {
      name: 'two users sharing an address get one mail',
      world: { users: sharing, personal: { alice: { scan_added: ['mail'] }, bob: { scan_added: ['mail'] } } },
      event: scanOnWeb(),
      expected: ['mail:user-2'],
    },
    {
      name: 'two recipients sharing an address get one mail',
      world: { users: sharing, personal: { alice: { user_mentioned: ['mail'] }, bob: { user_mentioned: ['mail'] } } },
      event: heraldEvent('user_mentioned', { recipients: ['bob', 'alice'] }),
      expected: ['mail:user-3'],
    },
    {
      name: 'a user without an email address gets no mail',
      world: { users: [ADMIN, { ...ALICE, email: '' }], personal: { alice: { scan_added: ['mail'] } } },
      event: scanOnWeb(),
      expected: [],
    },
  ]);

  it('decisions name the address that already receives the mail', () => {
    const viaSystem = run(
      { system: { scan_added: ['mail'] }, systemMailRecipients: ['alice@example.com'], personal: { alice: { scan_added: ['mail'] } } },
      scanOnWeb(),
    );
    expect(userDecision(viaSystem, 'alice')?.skipped).toEqual([
      { channel: 'mail', reason: 'already receives the system mail at alice@example.com' },
    ]);
    const shared = run({ users: sharing, personal: { alice: { scan_added: ['mail'] }, bob: { scan_added: ['mail'] } } }, scanOnWeb());
    expect(userDecision(shared, 'bob')?.skipped).toEqual([
      { channel: 'mail', reason: 'already receives the mail sent to shared@example.com for user alice' },
    ]);
  });
});

describe('route: planned deliveries', () => {
  it('carry a stable delivery id, the personal destination and the site URL', () => {
    const users = [{ ...ALICE, slack_email: 'alice@slack.example' }, BOB];
    const result = run(
      { users, personal: { alice: { scan_added: ['slack'] }, bob: { scan_added: ['mail'] } }, systemMailRecipients: [] },
      scanOnWeb(),
    );
    expect([...result.deliveries].sort((a, b) => a.delivery_id.localeCompare(b.delivery_id))).toEqual([
      {
        delivery_id: 'test:evt-1:mail:user-3',
        channel: 'mail',
        destination: { scope: 'personal', user: { id: '3', username: 'bob', email: 'bob@example.com', full_name: 'Bob Example' } },
        site_url: SITE_URL,
      },
      {
        delivery_id: 'test:evt-1:slack:user-2',
        channel: 'slack',
        destination: {
          scope: 'personal',
          user: { id: '2', username: 'alice', email: 'alice@example.com', full_name: 'Alice Example', slack_email: 'alice@slack.example' },
        },
        site_url: SITE_URL,
      },
    ]);
    const bob = result.deliveries.find((delivery) => delivery.channel === 'mail');
    expect(bob?.destination.scope === 'personal' && 'slack_email' in bob.destination.user).toBe(false);
  });

  it('percent-encode the source and id in every delivery id, as deliveryId does', () => {
    const event = { ...scanOnWeb(), source: 'dojo/eu:1', id: 'scan 42:ä' };
    const result = run(
      { system: { scan_added: ['webhooks'] }, personal: { alice: { scan_added: ['mail'] }, bob: { scan_added: ['alert'] } } },
      event,
    );
    expect(result.deliveries.map((d) => d.delivery_id).sort()).toEqual([
      'dojo%2Feu%3A1:scan%2042%3A%C3%A4:alert:user-3',
      'dojo%2Feu%3A1:scan%2042%3A%C3%A4:mail:user-2',
      'dojo%2Feu%3A1:scan%2042%3A%C3%A4:webhooks:system',
      'dojo%2Feu%3A1:scan%2042%3A%C3%A4:webhooks:user-1', // the superuser takes the system row
    ]);
    for (const delivery of result.deliveries) expect(delivery.delivery_id).toBe(deliveryId(event, delivery.channel, delivery.destination));
  });

  it('a system delivery has the system destination', () => {
    const result = run({ system: { scan_added: ['webhooks'] } }, heraldEvent('scan_added', { no_users: true }));
    expect(result.deliveries).toEqual([
      { delivery_id: 'test:evt-1:webhooks:system', channel: 'webhooks', destination: { scope: 'system' }, site_url: SITE_URL },
    ]);
  });
});

describe('route: cost grows with candidates, not directory size', () => {
  it('10 000 users of whom 3 subscribe: decisions cover only the 3 and the superusers', () => {
    const users: UserRecord[] = Array.from({ length: 10_000 }, (_, index) =>
      userRecord(String(index + 100), `user${index}`, { superuser: index < 2, global_role: 'Reader' }),
    );
    const subscribers = new Set(['user10', 'user500', 'user9999']);
    const input = snapshotInput({
      users,
      eventTypes: EVENT_CATALOGUE,
      personal: users.map((user) => ({ user_id: user.id, events: row(subscribers.has(user.username) ? { scan_added: ['alert'] } : {}) })),
    });
    const result = route(scanOnWeb(), buildSnapshot(input), { siteUrl: SITE_URL, now: NOW });
    const considered = result.decisions.flatMap((decision) => (decision.scope === 'user' ? [decision.username] : []));
    expect(considered.sort()).toEqual(['user0', 'user1', 'user10', 'user500', 'user9999']);
    expect(result.decisions).toHaveLength(1 + 5);
    expect(planned(result)).toEqual(['alert:user-110', 'alert:user-600', 'alert:user-10099'].sort());
  });
});

describe('routeInChunks (a broadcast routed, published and stored a chunk at a time)', () => {
  const sharing = [ADMIN, { ...ALICE, email: 'shared@example.com' }, { ...BOB, email: 'Shared@Example.com' }];
  const options = { siteUrl: SITE_URL, now: NOW };

  it('keeps one mail per address across chunks: the second user, in the next chunk, is refused', () => {
    // candidates: alice and bob (personal subscribers), then admin (a superuser without rows)
    const snapshot = buildSnapshot(world({ users: sharing, personal: { alice: { scan_added: ['mail'] }, bob: { scan_added: ['mail'] } } }));
    const chunks = [...routeInChunks(scanOnWeb(), snapshot, options, 2).chunks];
    expect(chunks.map((chunk) => chunk.decisions.map((d) => (d.scope === 'user' ? d.username : d.scope)))).toEqual([
      ['system', 'alice'],
      ['bob', 'admin'],
    ]);
    const who = (d: RouteResult['deliveries'][number]): string =>
      `${d.channel}:${d.destination.scope === 'personal' ? d.destination.user.username : 'system'}`;
    expect(chunks.map((chunk) => chunk.deliveries.map(who))).toEqual([['mail:alice'], []]);
    const bob = chunks[1]!.decisions[0] as UserDecision;
    expect(bob.channels).toEqual([]);
    expect(bob.skipped).toEqual([{ channel: 'mail', reason: expect.stringContaining('alice') }]);
  });

  it('chunks every candidate list alike: personal subscribers, product subscribers, then superusers', () => {
    // alice personally; bob and admin through product rows only (bob as a product-type member); admin also as a superuser
    const snapshot = buildSnapshot(
      world({
        personal: { alice: { scan_added: ['alert'] } },
        product: [
          ['bob', '7', { scan_added: ['alert'] }],
          ['carol', '7', { scan_added: ['alert'] }],
        ],
      }),
    );
    const whole = route(scanOnWeb(), snapshot, options);
    const names = (decisions: readonly Decision[]) => decisions.map((d) => (d.scope === 'user' ? d.username : d.scope));
    expect(names(whole.decisions)).toEqual(['system', 'alice', 'bob', 'carol', 'admin']);
    for (const size of [1, 2, 3]) {
      const chunks = [...routeInChunks(scanOnWeb(), snapshot, options, size).chunks];
      expect(chunks.map((chunk) => chunk.decisions.length)).toEqual(size === 1 ? [1, 1, 1, 1, 1] : size === 2 ? [2, 2, 1] : [3, 2]);
      expect(chunks.flatMap((chunk) => names(chunk.decisions))).toEqual(names(whole.decisions));
      expect(chunks.flatMap((chunk) => chunk.deliveries)).toEqual(whole.deliveries);
    }
  });

  it('hands out the system decision alone with chunks of one, and refuses a chunk size below one', () => {
    const snapshot = buildSnapshot(world({ personal: everyone('scan_added', ['alert']) }));
    const sizes = [...routeInChunks(scanOnWeb(), snapshot, options, 1).chunks].map((chunk) => chunk.decisions.length);
    expect(sizes.every((n) => n === 1)).toBe(true);
    expect(sizes.length).toBe(route(scanOnWeb(), snapshot, options).decisions.length);
    for (const size of [0, -1, Number.NaN]) {
      expect(() => routeInChunks(scanOnWeb(), snapshot, options, size)).toThrow(`decisionsPerChunk must be at least 1, got ${size}`);
    }
  });
});
