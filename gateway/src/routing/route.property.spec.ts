import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOGUE, deliveryId, type EventData, type HeraldEvent } from '@herald/contracts';
import fc from 'fast-check';
import { route, routeInChunks, type PlannedDelivery } from './route.js';
import { assertProperty, heraldEvent, NOW, row, SITE_URL, snapshotInput, userRecord } from './routing.fixture.js';
import { buildSnapshot } from './snapshot.js';
import type { ColumnFilter, ColumnFilters, SnapshotInput } from './snapshot-input.js';

/*
 * Random directories and settings, checked against a reference written from SPEC §3 directly
 * (not from the engine's indexes): no channel reaches a user that their own rows do not hold,
 * nobody outside the product sees a product event, the input is never written, the result is
 * a function of the input alone.
 *
 * Seeds: each run draws one seed for all properties (a different one every run, so runs keep
 * exploring). A failing property names it — "replay with HERALD_PROPERTY_SEED=<n>" — and
 *   HERALD_PROPERTY_SEED=<n> NODE_OPTIONS=--experimental-vm-modules npx jest gateway/src/routing/route.property.spec.ts
 * replays exactly that run (same cases, same shrinking). Anything but an integer there is refused.
 */

const CHANNELS = ['alert', 'mail', 'slack', 'msteams', 'webhooks', 'discord'] as const;
const CONFIGURED = ['alert', 'mail', 'slack', 'msteams', 'webhooks'] as const;
const COLUMNS = [
  'user_mentioned',
  'review_requested',
  'code_review',
  'scan_added',
  'scan_added_empty',
  'close_engagement',
  'other',
] as const;
const EVENT_TYPES = [...COLUMNS, 'engagement_closed', 'dummy_foo_event'] as const;
const PRODUCT_TYPE_OF: Readonly<Record<string, string>> = { '7': '3', '8': '4' };

type Columns = Readonly<Record<string, readonly string[]>>;

const SEVERITY_ORDER = ['Critical', 'High', 'Medium', 'Low', 'Info'] as const;
const TAGS = ['pci', 'gdpr', 'internal'] as const;

/** A filter of one column: each clause present or not; product types and tags never empty. */
const filterArb: fc.Arbitrary<ColumnFilter> = fc
  .record(
    {
      min_severity: fc.constantFrom(...SEVERITY_ORDER),
      product_types: fc.uniqueArray(fc.constantFrom('3', '4'), { minLength: 1 }),
      tags_any: fc.uniqueArray(fc.constantFrom(...TAGS), { minLength: 1 }),
    },
    { requiredKeys: [] },
  )
  .filter((filter) => Object.keys(filter).length > 0);
/** Filters on some columns of a row (most rows none). */
const filtersArb: fc.Arbitrary<ColumnFilters> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc
      .uniqueArray(fc.tuple(fc.constantFrom(...COLUMNS), filterArb), { maxLength: 3, selector: ([column]) => column })
      .map((entries) => Object.fromEntries(entries)),
  },
);

/** What an event offers filters, drawn independently of its scope. */
const factsArb = fc.record({
  severity: fc.option(fc.constantFrom(...SEVERITY_ORDER), { nil: undefined }),
  tags: fc.option(fc.uniqueArray(fc.constantFrom(...TAGS)), { nil: undefined }),
});
type GeneratedFacts = typeof factsArb extends fc.Arbitrary<infer F> ? F : never;

function factsData(facts: GeneratedFacts): Partial<EventData> {
  return {
    ...(facts.severity === undefined ? {} : { severity: facts.severity }),
    ...(facts.tags === undefined ? {} : { tags: facts.tags }),
  };
}

/** SPEC §3.6, written out: every clause given must hold; a missing severity, product type or tag list holds none. */
function passesFilter(filter: ColumnFilter | undefined, facts: GeneratedFacts, productTypeId: string | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.min_severity !== undefined) {
    if (facts.severity === undefined) return false;
    if (SEVERITY_ORDER.indexOf(facts.severity) > SEVERITY_ORDER.indexOf(filter.min_severity)) return false;
  }
  if (filter.product_types !== undefined && (productTypeId === undefined || !filter.product_types.includes(productTypeId))) return false;
  if (
    filter.tags_any !== undefined &&
    !filter.tags_any.some((tag) => (facts.tags as readonly string[] | undefined)?.includes(tag) === true)
  )
    return false;
  return true;
}

const channelSet = fc.uniqueArray(fc.constantFrom(...CHANNELS), { maxLength: 4 });
const columnsArb: fc.Arbitrary<Columns> = fc
  .array(channelSet, { minLength: COLUMNS.length, maxLength: COLUMNS.length })
  .map((sets) => Object.fromEntries(COLUMNS.map((column, index) => [column, sets[index] ?? []])));

const userArb = fc.record({
  active: fc.boolean(),
  superuser: fc.boolean(),
  globalRole: fc.option(fc.constantFrom('Reader', 'Owner'), { nil: null }),
  email: fc.constantFrom('a@x.io', 'A@X.io', 'b@x.io', 'c@x.io', 'd@x.io', ''),
  slackEmail: fc.option(fc.constant('s@x.io'), { nil: null }),
  personal: fc.option(columnsArb, { nil: null }),
  personalFilters: filtersArb,
  productRows: fc.uniqueArray(fc.tuple(fc.constantFrom('7', '8'), columnsArb, filtersArb), {
    maxLength: 2,
    selector: ([productId]) => productId,
  }),
  productMemberOf: fc.subarray(['7', '8']),
  productTypeMemberOf: fc.subarray(['3', '4']),
});
type GeneratedUser = typeof userArb extends fc.Arbitrary<infer U> ? U : never;

const worldArb = fc.record({
  users: fc.array(userArb, { minLength: 1, maxLength: 25 }),
  system: fc.option(columnsArb, { nil: null }),
  systemFilters: filtersArb,
  channels: fc.array(fc.record({ enabled: fc.boolean(), has_system_destination: fc.boolean() }), {
    minLength: CONFIGURED.length,
    maxLength: CONFIGURED.length,
  }),
  trump: fc.subarray([...EVENT_TYPES]),
  systemMail: fc.subarray(['a@x.io', 'c@x.io']),
});
type GeneratedWorld = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

const flagsArb = fc.record({ alert_only: fc.boolean(), no_users: fc.boolean() });

function toInput(w: GeneratedWorld): SnapshotInput {
  const ids = w.users.map((_, index) => String(index + 1));
  const at = <T>(list: readonly T[], index: number): T => {
    const value = list[index];
    if (value === undefined) throw new Error(`no element ${index}`);
    return value;
  };
  return snapshotInput({
    users: w.users.map((user, index) =>
      userRecord(at(ids, index), `user${index}`, {
        active: user.active,
        superuser: user.superuser,
        global_role: user.globalRole,
        email: user.email,
        slack_email: user.slackEmail,
      }),
    ),
    productTypes: [
      { id: '3', name: 'Internal' },
      { id: '4', name: 'Customer' },
    ],
    products: [
      { id: '7', name: 'Web', product_type_id: '3' },
      { id: '8', name: 'Mobile', product_type_id: '4' },
    ],
    productMembers: w.users.flatMap((user, index) =>
      user.productMemberOf.map((productId) => ({ scope_id: productId, user_id: at(ids, index), role: 'Reader' })),
    ),
    productTypeMembers: w.users.flatMap((user, index) =>
      user.productTypeMemberOf.map((typeId) => ({ scope_id: typeId, user_id: at(ids, index), role: 'Reader' })),
    ),
    system: w.system === null ? null : row(w.system),
    systemFilters: w.systemFilters,
    // a user without a stored personal row has no filters either
    personal: w.users.flatMap((user, index) =>
      user.personal === null ? [] : [{ user_id: at(ids, index), events: row(user.personal), filters: user.personalFilters }],
    ),
    productSettings: w.users.flatMap((user, index) =>
      user.productRows.map(([productId, columns, filters]) => ({
        user_id: at(ids, index),
        product_id: productId,
        events: row(columns),
        filters,
      })),
    ),
    channels: CONFIGURED.map((name, index) => ({ name, ...at(w.channels, index) })),
    systemMailRecipients: w.systemMail,
    systemLevelTrump: w.trump,
  });
}

/** The reference model, straight from SPEC §2.2 and §3. */
const reference = {
  column(type: string): string {
    if (EVENT_CATALOGUE.some((definition) => definition.name === type)) return type;
    return type === 'engagement_closed' ? 'close_engagement' : 'other';
  },
  defaults(column: string): readonly string[] {
    return EVENT_CATALOGUE.find((definition) => definition.name === column)?.defaultChannels ?? [];
  },
  personal(user: GeneratedUser, column: string): readonly string[] {
    return user.personal === null ? reference.defaults(column) : (user.personal[column] ?? []);
  },
  system(w: GeneratedWorld, column: string): readonly string[] {
    return w.system === null ? reference.defaults(column) : (w.system[column] ?? []);
  },
  /** A row's channels for the column, or none when the row's filter turns the event away. */
  filtered(channels: readonly string[], filter: ColumnFilter | undefined, facts: GeneratedFacts, productTypeId: string | undefined) {
    return passesFilter(filter, facts, productTypeId) ? channels : [];
  },
  personalFilter(user: GeneratedUser, column: string): ColumnFilter | undefined {
    return user.personal === null ? undefined : user.personalFilters[column];
  },
  enabled(w: GeneratedWorld, channel: string): boolean {
    const index = CONFIGURED.indexOf(channel as (typeof CONFIGURED)[number]);
    return channel === 'alert' || (index >= 0 && w.channels[index]?.enabled === true);
  },
  /** The channels a user may get: their rows ∩ enabled, without msteams, only alert if alert_only. */
  allowed(w: GeneratedWorld, rows: ReadonlyArray<readonly string[]>, alertOnly: boolean): Set<string> {
    return new Set(
      rows.flat().filter((channel) => reference.enabled(w, channel) && channel !== 'msteams' && (!alertOnly || channel === 'alert')),
    );
  },
};

function userOf(w: GeneratedWorld, delivery: PlannedDelivery): GeneratedUser & { readonly username: string } {
  if (delivery.destination.scope !== 'personal') throw new Error(`${delivery.delivery_id} is not personal`);
  const user = w.users[Number(delivery.destination.user.id) - 1];
  if (user === undefined) throw new Error(`${delivery.delivery_id} goes to a user outside the directory`);
  return { ...user, username: delivery.destination.user.username };
}

function expectOneMailPerAddress(deliveries: readonly PlannedDelivery[], systemMail: readonly string[]): void {
  const addresses = deliveries.flatMap((delivery) =>
    delivery.channel === 'mail' && delivery.destination.scope === 'personal' ? [delivery.destination.user.email.toLowerCase()] : [],
  );
  const systemMailSent = deliveries.some((delivery) => delivery.channel === 'mail' && delivery.destination.scope === 'system');
  expect(new Set(addresses).size).toBe(addresses.length);
  if (systemMailSent) for (const address of addresses) expect(systemMail).not.toContain(address);
}

interface ScopeCase {
  readonly productId?: string;
  readonly productTypeId?: string;
  readonly data: Partial<EventData>;
}

const scopeArb = fc.constantFrom<ScopeCase>(
  { productId: '7', data: { product: { id: '7', name: 'Web' } } },
  { productId: '8', data: { engagement: { id: '11', name: 'Q4', product: { id: '8', name: 'Mobile' } } } },
  // the directory's product type wins over the one the publisher wrote
  { productId: '8', data: { product: { id: '8', name: 'Mobile', product_type: { id: '3', name: 'Internal' } } } },
  { productTypeId: '3', data: { product_type: { id: '3', name: 'Internal' } } },
  { data: {} },
);

/** The product type filters see: the directory's for a product, else the event's product type. */
function scopeProductType(scope: ScopeCase): string | undefined {
  return scope.productId !== undefined ? PRODUCT_TYPE_OF[scope.productId] : scope.productTypeId;
}

const recipientsArb = fc.array(
  fc.oneof(
    fc.nat({ max: 30 }).map((index) => `user${index}`),
    fc.constant('ghost'),
  ),
  { maxLength: 12 },
);

describe('route (properties): recipients path', () => {
  it('each recipient gets exactly their own rows ∩ enabled, and one mail per address', () => {
    assertProperty(
      fc.property(
        worldArb,
        fc.constantFrom(...EVENT_TYPES),
        recipientsArb,
        flagsArb,
        factsArb,
        scopeArb,
        (w, type, recipients, flags, facts, scope) => {
          const data = { ...scope.data, recipients, ...flags, ...factsData(facts) };
          const result = route(heraldEvent(type, data), buildSnapshot(toInput(w)), { siteUrl: SITE_URL, now: NOW });
          const column = reference.column(type);
          const trumpList: readonly string[] = w.trump;
          const trump = trumpList.includes(type) || trumpList.includes(column);
          const productTypeId = scopeProductType(scope);
          // filters × trump × recipients × alert_only: each row filtered by its own filter, then merged
          const allowedFor = (user: GeneratedUser): Set<string> =>
            reference.allowed(
              w,
              [
                reference.filtered(reference.personal(user, column), reference.personalFilter(user, column), facts, productTypeId),
                trump ? reference.filtered(reference.system(w, column), w.systemFilters[column], facts, productTypeId) : [],
              ],
              flags.alert_only,
            );

          for (const delivery of result.deliveries) {
            const user = userOf(w, delivery);
            expect(recipients).toContain(user.username);
            expect(user.active).toBe(true);
            expect([...allowedFor(user)]).toContain(delivery.channel);
          }
          for (const username of new Set(recipients)) {
            const index = Number(username.slice('user'.length));
            const user = w.users[index];
            if (user === undefined || !user.active) continue;
            for (const channel of allowedFor(user)) {
              if (channel === 'mail') continue;
              expect(result.deliveries.map((delivery) => delivery.delivery_id)).toContain(`test:evt-1:${channel}:user-${index + 1}`);
            }
          }
          expectOneMailPerAddress(result.deliveries, []);
        },
      ),
      300,
    );
  });
});

describe('route (properties): broadcast path', () => {
  it('every personal delivery goes to an active user who can view the product, on a channel of their own rows', () => {
    assertProperty(
      fc.property(worldArb, fc.constantFrom(...EVENT_TYPES), scopeArb, flagsArb, factsArb, (w, type, scope, flags, facts) => {
        const data: Partial<EventData> = { ...scope.data, ...flags, ...factsData(facts) };
        const result = route(heraldEvent(type, data), buildSnapshot(toInput(w)), { siteUrl: SITE_URL, now: NOW });
        const column = reference.column(type);
        const productScoped = EVENT_CATALOGUE.find((definition) => definition.name === column)?.productScoped === true;
        const productTypeId = scopeProductType(scope);
        const systemRow = reference.filtered(reference.system(w, column), w.systemFilters[column], facts, productTypeId);

        const event = heraldEvent(type, data);
        for (const delivery of result.deliveries) {
          // the id is the contract's, whichever way routing built it (system alerts and personal rows alike)
          expect(delivery.delivery_id).toBe(deliveryId(event, delivery.channel, delivery.destination));
          if (delivery.destination.scope === 'system') {
            expect(systemRow).toContain(delivery.channel);
            continue;
          }
          const user = userOf(w, delivery);
          expect(user.active).toBe(true);
          if (flags.no_users) expect([user.superuser, delivery.channel]).toEqual([true, 'alert']);
          const canView =
            user.superuser ||
            (scope.productId !== undefined &&
              (user.globalRole !== null ||
                user.productMemberOf.includes(scope.productId) ||
                user.productTypeMemberOf.includes(PRODUCT_TYPE_OF[scope.productId] ?? ''))) ||
            (scope.productTypeId !== undefined && (user.globalRole !== null || user.productTypeMemberOf.includes(scope.productTypeId)));
          expect(canView).toBe(true);
          const product = productScoped ? user.productRows.find(([productId]) => productId === scope.productId) : undefined;
          const productRow =
            product === undefined ? [] : reference.filtered(product[1][column] ?? [], product[2][column], facts, productTypeId);
          const personalRow = reference.filtered(
            reference.personal(user, column),
            reference.personalFilter(user, column),
            facts,
            productTypeId,
          );
          const rows = [personalRow, productRow, user.superuser ? systemRow : []];
          expect([...reference.allowed(w, rows, flags.alert_only)]).toContain(delivery.channel);
        }
        expectOneMailPerAddress(result.deliveries, w.systemMail);
      }),
      300,
    );
  });
});

describe('route (properties): filters are in the decisions', () => {
  it('a row is listed as filtered exactly when it has channels and its filter turns the event away; the system pass says so too', () => {
    assertProperty(
      fc.property(
        worldArb,
        fc.constantFrom(...EVENT_TYPES),
        scopeArb,
        flagsArb,
        factsArb,
        fc.option(recipientsArb, { nil: undefined }),
        (w, type, scope, flags, facts, recipients) => {
          const data = { ...scope.data, ...flags, ...factsData(facts), ...(recipients === undefined ? {} : { recipients }) };
          const result = route(heraldEvent(type, data), buildSnapshot(toInput(w)), { siteUrl: SITE_URL, now: NOW });
          const column = reference.column(type);
          const productTypeId = scopeProductType(scope);
          const trumpList: readonly string[] = w.trump;
          const trump = trumpList.includes(type) || trumpList.includes(column);
          const systemTurnedAway = reference.system(w, column).length > 0 && !passesFilter(w.systemFilters[column], facts, productTypeId);

          for (const decision of result.decisions) {
            if (decision.scope === 'system' && recipients === undefined && systemTurnedAway) {
              expect(decision.channels).toEqual([]);
              expect(decision.skipped.map((skip) => skip.channel)).toEqual([...new Set(reference.system(w, column))]);
            }
            if (decision.scope !== 'user') continue;
            const user = w.users[Number(decision.user_id) - 1];
            if (user === undefined) throw new Error(`decision for a user outside the directory: ${decision.user_id}`);
            const rows = new Set((decision.filtered ?? []).map((entry) => entry.row));
            const personal = reference.personal(user, column);
            expect(rows.has('personal')).toBe(
              personal.length > 0 && !passesFilter(reference.personalFilter(user, column), facts, productTypeId),
            );
            const systemMerged = recipients === undefined ? user.superuser : trump;
            expect(rows.has('system')).toBe(systemMerged && systemTurnedAway);
            for (const entry of decision.filtered ?? []) expect(entry.reason.length).toBeGreaterThan(0);
            // a filtered row never counts as a source of the merge
            for (const source of decision.merged_from) expect(rows.has(source)).toBe(false);
          }
        },
      ),
      300,
    );
  });
});

describe('route (properties): purity', () => {
  const eventArb = fc
    .tuple(fc.constantFrom(...EVENT_TYPES), scopeArb, flagsArb, factsArb, fc.option(recipientsArb, { nil: undefined }))
    .map(([type, scope, flags, facts, recipients]): HeraldEvent =>
      heraldEvent(type, { ...scope.data, ...flags, ...factsData(facts), ...(recipients === undefined ? {} : { recipients }) }),
    );

  it('never writes into its input and is deterministic', () => {
    assertProperty(
      fc.property(worldArb, eventArb, (w, event) => {
        // Both are deep-frozen by the fixture: a write throws, and a structural change shows below.
        const input = toInput(w);
        const inputBefore = structuredClone(input);
        const eventBefore = structuredClone(event);
        const snapshot = buildSnapshot(input);
        const first = route(event, snapshot, { siteUrl: SITE_URL, now: NOW });
        const again = route(event, snapshot, { siteUrl: SITE_URL, now: NOW });
        const fresh = route(structuredClone(event), buildSnapshot(structuredClone(inputBefore)), { siteUrl: SITE_URL, now: NOW });
        expect(input).toEqual(inputBefore);
        expect(event).toEqual(eventBefore);
        expect(again).toEqual(first);
        expect(fresh).toEqual(first);
      }),
      200,
    );
  });

  it('in chunks (routeInChunks) gives the same result, every chunk but the last exactly the chunk size', () => {
    assertProperty(
      fc.property(worldArb, eventArb, fc.integer({ min: 1, max: 6 }), (w, event, size) => {
        const snapshot = buildSnapshot(toInput(w));
        const whole = route(event, snapshot, { siteUrl: SITE_URL, now: NOW });
        const streamed = routeInChunks(event, snapshot, { siteUrl: SITE_URL, now: NOW }, size);
        const chunks = [...streamed.chunks];
        expect(streamed.column).toBe(whole.column);
        expect(chunks.length).toBeGreaterThan(0);
        expect(chunks.slice(0, -1).every((chunk) => chunk.decisions.length === size)).toBe(true);
        const last = chunks.at(-1)!.decisions.length;
        expect(last >= 1 && last <= size).toBe(true);
        expect(chunks.flatMap((chunk) => chunk.decisions)).toEqual(whole.decisions);
        expect(chunks.flatMap((chunk) => chunk.deliveries)).toEqual(whole.deliveries);
      }),
      200,
    );
  });
});
