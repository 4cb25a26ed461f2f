import { describe, expect, it } from '@jest/globals';
import type { EventData, HeraldEvent } from '@herald/contracts';
import type { SystemDecision, UserDecision } from './decision.js';
import { route, type RouteResult } from './route.js';
import { NOW, SITE_URL, heraldEvent, planned, row, snapshotInput, userRecord } from './routing.fixture.js';
import { buildSnapshot } from './snapshot.js';
import type { ColumnFilters, SnapshotInput } from './snapshot-input.js';

/*
 * Filters (SPEC §3.6 step 1) through the whole of route(): a row's filter removes the channels
 * that row contributes, the other rows still count, and every filtered row is in the decisions.
 *   admin (1) superuser; alice (2) member of product 7 (type 3); bob (3) member of product 8 (type 4)
 */
const ADMIN = userRecord('1', 'admin', { superuser: true });
const ALICE = userRecord('2', 'alice');
const BOB = userRecord('3', 'bob');
const WEB = { id: '7', name: 'Web' };

interface World {
  readonly system?: Readonly<Record<string, readonly string[]>>;
  readonly systemFilters?: ColumnFilters;
  readonly personal?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly personalFilters?: Readonly<Record<string, ColumnFilters>>;
  readonly product?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly productFilters?: Readonly<Record<string, ColumnFilters>>;
}

function input(w: World): SnapshotInput {
  const users = [ADMIN, ALICE, BOB];
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
      { scope_id: '8', user_id: '3', role: 'Writer' },
    ],
    system: row(w.system ?? {}),
    ...(w.systemFilters === undefined ? {} : { systemFilters: w.systemFilters }),
    personal: users.map((user) => ({
      user_id: user.id,
      events: row(w.personal?.[user.username] ?? {}),
      ...(w.personalFilters?.[user.username] === undefined ? {} : { filters: w.personalFilters[user.username] }),
    })),
    productSettings: Object.entries(w.product ?? {}).map(([username, columns]) => ({
      user_id: users.find((user) => user.username === username)?.id ?? '?',
      product_id: '7',
      events: row(columns),
      ...(w.productFilters?.[username] === undefined ? {} : { filters: w.productFilters[username] }),
    })),
  });
}

function run(w: World, event: HeraldEvent): RouteResult {
  return route(event, buildSnapshot(input(w)), { siteUrl: SITE_URL, now: NOW });
}

function userDecision(result: RouteResult, username: string): UserDecision | undefined {
  return result.decisions.find((decision): decision is UserDecision => decision.scope === 'user' && decision.username === username);
}

function systemDecision(result: RouteResult): SystemDecision | undefined {
  return result.decisions.find((decision): decision is SystemDecision => decision.scope === 'system');
}

const scan = (data: Partial<EventData>): HeraldEvent => heraldEvent('scan_added', { product: WEB, ...data });

describe('route: filters on personal rows', () => {
  const w: World = {
    personal: { alice: { scan_added: ['alert', 'mail'] } },
    personalFilters: { alice: { scan_added: { min_severity: 'High' } } },
  };

  it('an event below the minimum severity reaches nobody through that row, and says why', () => {
    const result = run(w, scan({ severity: 'Low' }));
    expect(planned(result)).toEqual([]);
    expect(userDecision(result, 'alice')).toEqual({
      scope: 'user',
      user_id: '2',
      username: 'alice',
      channels: [],
      merged_from: [],
      skipped: [
        { channel: 'alert', reason: 'personal filter: severity Low is below High' },
        { channel: 'mail', reason: 'personal filter: severity Low is below High' },
      ],
      filtered: [{ row: 'personal', channels: ['alert', 'mail'], reason: 'severity Low is below High' }],
      reason: 'every channel was filtered out by the settings filters',
    });
  });

  it('an event at the minimum severity goes through, with no filter entry', () => {
    const result = run(w, scan({ severity: 'High' }));
    expect(planned(result)).toEqual(['alert:user-2', 'mail:user-2']);
    expect(userDecision(result, 'alice')).not.toHaveProperty('filtered');
  });

  it('an event without severity is filtered out when the row asks for one', () => {
    const result = run(w, scan({}));
    expect(planned(result)).toEqual([]);
    expect(userDecision(result, 'alice')?.filtered?.[0]?.reason).toBe('the event has no severity (the filter asks for High or above)');
  });

  it('a filter on another column does not apply', () => {
    const result = run(
      { ...w, personalFilters: { alice: { scan_added_empty: { min_severity: 'Critical' } } } },
      scan({ severity: 'Info' }),
    );
    expect(planned(result)).toEqual(['alert:user-2', 'mail:user-2']);
  });

  it('authorization still applies after filters: a filtered non-member is excluded with both facts recorded', () => {
    const result = run(
      { personal: { bob: { scan_added: ['mail'] } }, personalFilters: { bob: { scan_added: { tags_any: ['pci'] } } } },
      scan({ tags: ['gdpr'] }),
    );
    expect(planned(result)).toEqual([]);
    expect(userDecision(result, 'bob')).toMatchObject({
      reason: 'no access to product 7',
      filtered: [{ row: 'personal', channels: ['mail'], reason: 'no tag in [pci]' }],
    });
  });
});

describe('route: filters on product rows apply to the channels that row contributes', () => {
  const w: World = {
    personal: { alice: { scan_added: ['alert'] } },
    product: { alice: { scan_added: ['alert', 'slack'] } },
    productFilters: { alice: { scan_added: { product_types: ['4'] } } },
  };

  it('the personal row still contributes alert; slack, only from the product row, is filtered', () => {
    const result = run(w, scan({}));
    expect(planned(result)).toEqual(['alert:user-2']);
    expect(userDecision(result, 'alice')).toMatchObject({
      channels: ['alert'],
      merged_from: ['personal'],
      skipped: [{ channel: 'slack', reason: 'product filter: product type 3 is not in [4]' }],
      filtered: [{ row: 'product', channels: ['alert', 'slack'], reason: 'product type 3 is not in [4]' }],
    });
  });

  it('a passing product filter changes nothing', () => {
    const result = run({ ...w, productFilters: { alice: { scan_added: { product_types: ['3'] } } } }, scan({}));
    expect(planned(result)).toEqual(['alert:user-2', 'slack:user-2']);
  });
});

describe('route: the system row filter', () => {
  it('filters the system pass and the system row merged into a superuser', () => {
    const result = run(
      {
        system: { scan_added: ['slack', 'alert'] },
        systemFilters: { scan_added: { min_severity: 'Critical' } },
        personal: { admin: { scan_added: ['mail'] } },
      },
      scan({ severity: 'High' }),
    );
    expect(planned(result)).toEqual(['mail:user-1']);
    expect(systemDecision(result)).toEqual({
      scope: 'system',
      channels: [],
      alert_user_ids: [],
      skipped: [
        { channel: 'slack', reason: 'severity High is below Critical' },
        { channel: 'alert', reason: 'severity High is below Critical' },
      ],
    });
    expect(userDecision(result, 'admin')).toMatchObject({
      channels: ['mail'],
      skipped: [
        { channel: 'slack', reason: 'system filter: severity High is below Critical' },
        { channel: 'alert', reason: 'system filter: severity High is below Critical' },
      ],
    });
  });

  it('the trumping system row applies its own filter on the recipients path', () => {
    const w: World = {
      system: { user_mentioned: ['slack'] },
      systemFilters: { user_mentioned: { tags_any: ['urgent'] } },
      personal: { bob: { user_mentioned: ['alert'] } },
    };
    const quiet = run(w, heraldEvent('user_mentioned', { recipients: ['bob'] }));
    expect(planned(quiet)).toEqual(['alert:user-3']);
    expect(userDecision(quiet, 'bob')).toMatchObject({
      merged_from: ['personal'],
      skipped: [{ channel: 'slack', reason: 'system filter: no tag in [urgent]' }],
    });
    const urgent = run(w, heraldEvent('user_mentioned', { recipients: ['bob'], tags: ['urgent'] }));
    expect(planned(urgent)).toEqual(['alert:user-3', 'slack:user-3']);
  });

  it('the personal filter applies on the recipients path too', () => {
    const result = run(
      { personal: { bob: { code_review: ['alert'] } }, personalFilters: { bob: { code_review: { min_severity: 'Info' } } } },
      heraldEvent('code_review', { recipients: ['bob'] }),
    );
    expect(planned(result)).toEqual([]);
    expect(userDecision(result, 'bob')?.reason).toBe('every channel was filtered out by the settings filters');
  });

  it('alert_only still applies to what the filters let through', () => {
    const result = run(
      {
        personal: { alice: { scan_added: ['alert', 'mail'] } },
        personalFilters: { alice: { scan_added: { min_severity: 'Low' } } },
      },
      scan({ severity: 'Medium', alert_only: true }),
    );
    expect(planned(result)).toEqual(['alert:user-2']);
  });
});
