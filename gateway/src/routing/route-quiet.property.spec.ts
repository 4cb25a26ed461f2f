import { describe, expect, it } from '@jest/globals';
import { SEVERITIES, type EventData, type Severity } from '@herald/contracts';
import fc from 'fast-check';
import type { UserDecision } from './decision.js';
import { route, type PlannedDelivery, type RouteResult } from './route.js';
import { assertProperty, heraldEvent, PROPERTY_SEED, row, SITE_URL, snapshotInput, userRecord } from './routing.fixture.js';
import { buildSnapshot } from './snapshot.js';
import type { ColumnFilters, DigestSettings, QuietHours, SnapshotInput } from './snapshot-input.js';

/*
 * The precedence of SPEC §3.6 over random inputs — filters × trump × quiet hours × digests ×
 * alert_only — checked against a reference written from the spec, which finds window ends and
 * digest times by walking the local clock minute by minute (no shared arithmetic with the engine):
 *   1. quiet hours and digests never change what is delivered, only when: the same event routed
 *      with them stripped plans exactly the same deliveries (deferred is never dropped, filters,
 *      authorization and alert_only are decided before);
 *   2. only personal push deliveries are held: never `alert`, never a system destination, never
 *      a trumped event, never with alert_only;
 *   3. a (column, channel) with a digest is digested; otherwise a user in a quiet window (column
 *      not bypassed) is deferred to the first minute the window is over; otherwise it goes now;
 *   4. a digest is due at the first digest time after now — or at/after the quiet window's end;
 *   5. every held delivery is in its user's decision with the same release time and a reason.
 * HERALD_PROPERTY_SEED=<n> replays a run, as in route.property.spec.ts.
 */
const USERS = [userRecord('1', 'admin', { superuser: true }), userRecord('2', 'alice'), userRecord('3', 'bob')];
const COLUMNS = ['other', 'code_review', 'user_mentioned'] as const;
const CHANNELS = ['alert', 'mail', 'slack', 'webhooks'] as const;
const PUSH = ['mail', 'slack', 'webhooks'] as const;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'] as const;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** Around both 2026 DST changes of Europe and North America, and an ordinary week. */
const PERIODS = ['2026-03-07T00:00:00Z', '2026-03-27T00:00:00Z', '2026-10-23T00:00:00Z', '2026-10-31T00:00:00Z', '2026-11-23T00:00:00Z'];

const clockArb = fc
  .record({ h: fc.integer({ min: 0, max: 23 }), m: fc.constantFrom(0, 15, 30, 45) })
  .map(({ h, m }) => pad(h) + ':' + pad(m));
const windowArb = fc
  .record({ days: fc.subarray([...DAYS], { minLength: 1 }), start: clockArb, end: clockArb })
  .filter((window) => window.start !== window.end);
const quietArb: fc.Arbitrary<QuietHours | undefined> = fc.option(
  fc.record({
    timezone: fc.constantFrom(...ZONES),
    windows: fc.array(windowArb, { minLength: 1, maxLength: 3 }),
    bypass: fc.subarray([...COLUMNS], { maxLength: 1 }),
  }),
  { nil: undefined, freq: 4 },
);
/** Daily times a DST change never skips (01:00–03:59 are left out): a skipped time has no minute to walk to. */
const scheduleArb = fc.oneof(
  fc.constant('hourly'),
  fc.record({ h: fc.integer({ min: 4, max: 23 }), m: fc.constantFrom(0, 30) }).map(({ h, m }) => `daily at ${pad(h)}:${pad(m)}`),
);
const digestsArb: fc.Arbitrary<DigestSettings> = fc.dictionary(
  fc.constantFrom(...COLUMNS),
  fc.dictionary(fc.constantFrom(...PUSH), scheduleArb, { maxKeys: 3 }),
  { maxKeys: 3 },
);
const personArb = fc.record({
  events: fc.dictionary(fc.constantFrom(...COLUMNS), fc.subarray([...CHANNELS]), { maxKeys: 3 }),
  filter: fc.option(fc.constantFrom<Severity>(...SEVERITIES), { nil: undefined }),
  quiet: quietArb,
  digests: digestsArb,
});
const worldArb = fc.record({
  people: fc.tuple(personArb, personArb, personArb),
  system: fc.dictionary(fc.constantFrom(...COLUMNS), fc.subarray([...CHANNELS]), { maxKeys: 3 }),
  trump: fc.subarray([...COLUMNS]),
});
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;
const eventArb = fc.record({
  column: fc.constantFrom(...COLUMNS),
  recipients: fc.option(fc.subarray(['admin', 'alice', 'bob', 'ghost']), { nil: undefined }),
  alertOnly: fc.boolean(),
  severity: fc.option(fc.constantFrom<Severity>(...SEVERITIES), { nil: undefined }),
});
const nowArb = fc
  .record({ period: fc.constantFrom(...PERIODS), offset: fc.integer({ min: 0, max: 7 * 24 * 60 * 60 - 1 }) })
  .map(({ period, offset }) => new Date(new Date(period).getTime() + offset * 1000));

function toInput(w: World, strip: boolean): SnapshotInput {
  return snapshotInput({
    users: USERS,
    productTypes: [{ id: '3', name: 'Internal' }],
    products: [{ id: '7', name: 'Web', product_type_id: '3' }],
    productMembers: [
      { scope_id: '7', user_id: '2', role: 'Writer' },
      { scope_id: '7', user_id: '3', role: 'Writer' },
    ],
    system: row(w.system),
    systemLevelTrump: w.trump,
    personal: USERS.map((user, index) => {
      const person = w.people[index] as World['people'][number];
      const filters: ColumnFilters =
        person.filter === undefined
          ? {}
          : Object.fromEntries(COLUMNS.map((column) => [column, { min_severity: person.filter as Severity }]));
      return {
        user_id: user.id,
        events: row(person.events),
        filters,
        ...(strip || person.quiet === undefined ? {} : { quiet_hours: person.quiet }),
        ...(strip ? {} : { digests: person.digests }),
      };
    }),
  });
}

function eventOf(e: typeof eventArb extends fc.Arbitrary<infer T> ? T : never) {
  const data: Partial<EventData> = { product: { id: '7', name: 'Web' } };
  if (e.recipients !== undefined) data.recipients = e.recipients;
  if (e.alertOnly) data.alert_only = true;
  if (e.severity !== undefined) data.severity = e.severity;
  return heraldEvent(e.column, data);
}

/* ---- the reference: the local clock, minute by minute ---- */
const MINUTE = 60_000;
const formats = new Map<string, Intl.DateTimeFormat>();
function wall(instant: number, zone: string): { day: number; minute: number } {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    day: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts['weekday'] ?? ''),
    minute: Number(parts['hour']) * 60 + Number(parts['minute']),
  };
}
const minutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));

function quietAt(quiet: QuietHours, instant: number): boolean {
  const { day, minute } = wall(instant, quiet.timezone);
  return quiet.windows.some((w) => {
    const start = minutes(w.start);
    const end = minutes(w.end);
    const on = (d: number) => w.days.includes(DAYS[(d + 7) % 7] as string);
    return start < end ? on(day) && minute >= start && minute < end : (on(day) && minute >= start) || (on(day - 1) && minute < end);
  });
}

/**
 * The first whole minute after `now` at which no window holds (undefined when none holds now).
 * Windows that hold for more than a week on end (always quiet) are left to the example in
 * delivery-time.spec.ts: the run is discarded instead of walking forever.
 */
function referenceQuietEnd(quiet: QuietHours, now: number): number | undefined {
  if (!quietAt(quiet, now)) return undefined;
  let t = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  const limit = now + 8 * 24 * 60 * MINUTE;
  while (quietAt(quiet, t)) {
    t += MINUTE;
    fc.pre(t < limit);
  }
  return t;
}

/** The first digest time after `from` (at `from` itself when `inclusive`). */
function referenceDigestDue(schedule: string, zone: string, from: number, inclusive: boolean): number {
  const target = schedule === 'hourly' ? undefined : minutes(schedule.slice('daily at '.length));
  let t = Math.ceil(from / MINUTE) * MINUTE;
  if (t === from && !inclusive) t += MINUTE;
  for (;;) {
    const { minute } = wall(t, zone);
    if (target === undefined ? minute % 60 === 0 : minute === target) return t;
    t += MINUTE;
  }
}

const key = (d: PlannedDelivery) => `${d.delivery_id}`;

describe('route() precedence of quiet hours and digests (property)', () => {
  it('holds exactly what the spec holds, until when it says, and never changes what is delivered', () => {
    const seen = { quiet_hours: 0, digest: 0, deferredDigest: 0, now: 0 };
    const property = fc.property(worldArb, eventArb, nowArb, (w, e, now) => {
      const event = eventOf(e);
      const options = { siteUrl: SITE_URL, now };
      const result: RouteResult = route(event, buildSnapshot(toInput(w, false)), options);
      const plain: RouteResult = route(event, buildSnapshot(toInput(w, true)), options);
      // 1. the same deliveries, the same decisions but for `held`
      expect(result.deliveries.map(key)).toEqual(plain.deliveries.map(key));
      expect(plain.deliveries.every((d) => d.hold === undefined)).toBe(true);
      expect(result.decisions.map(({ ...d }) => ('held' in d ? { ...d, held: undefined } : d))).toEqual(
        plain.decisions.map((d) => ('held' in d ? { ...d, held: undefined } : d)),
      );
      const trumped = w.trump.includes(e.column);
      for (const delivery of result.deliveries) {
        const hold = delivery.hold;
        // 2. what may never be held
        if (delivery.destination.scope === 'system' || delivery.channel === 'alert' || trumped || e.alertOnly) {
          expect(hold).toBeUndefined();
          continue;
        }
        const index = USERS.findIndex(
          (user) => user.id === (delivery.destination.scope === 'personal' ? delivery.destination.user.id : ''),
        );
        const person = w.people[index] as World['people'][number];
        const zone = person.quiet?.timezone ?? 'UTC';
        const quietEnd =
          person.quiet === undefined || person.quiet.bypass.includes(e.column) ? undefined : referenceQuietEnd(person.quiet, now.getTime());
        const schedule = person.digests[e.column]?.[delivery.channel];
        // 3. and 4.
        if (schedule !== undefined) {
          const due = referenceDigestDue(schedule, zone, quietEnd ?? now.getTime(), quietEnd !== undefined);
          expect(hold).toMatchObject({ kind: 'digest', column: e.column, schedule, release_at: new Date(due).toISOString() });
          expect(new Date(hold?.window_start ?? '').getTime()).toBeLessThanOrEqual(quietEnd ?? now.getTime());
        } else if (quietEnd !== undefined) {
          expect(hold).toEqual({ kind: 'quiet_hours', column: e.column, release_at: new Date(quietEnd).toISOString() });
        } else {
          expect(hold).toBeUndefined();
        }
        if (hold === undefined) seen.now++;
        else seen[hold.kind]++;
        if (hold?.kind === 'digest' && quietEnd !== undefined) seen.deferredDigest++;
        // 5. the decision says so
        const decision = result.decisions.find((d): d is UserDecision => d.scope === 'user' && d.user_id === (USERS[index]?.id ?? ''));
        const held = decision?.held?.find((h) => h.channel === delivery.channel);
        if (hold === undefined) expect(held).toBeUndefined();
        else {
          expect(held).toMatchObject({ kind: hold.kind, release_at: hold.release_at });
          expect(held?.reason).toMatch(
            hold.kind === 'digest' ? /collected into the .+ digest due at \d\d:\d\d / : /^deferred until \d\d:\d\d /,
          );
        }
      }
      // every decision's held channel is a held delivery of that user
      for (const decision of result.decisions) {
        if (decision.scope !== 'user') continue;
        for (const held of decision.held ?? []) {
          expect(
            result.deliveries.some(
              (d) =>
                d.channel === held.channel &&
                d.destination.scope === 'personal' &&
                d.destination.user.id === decision.user_id &&
                d.hold !== undefined,
            ),
          ).toBe(true);
        }
      }
    });
    // The generators must reach every case (a property that never holds anything proves nothing).
    // 400 runs miss a digest deferred by quiet hours on rare seeds: further batches of 400 (seeds
    // PROPERTY_SEED + 1, …, each replayable on its own) run until every case was seen, each asserting the property.
    const covered = () => seen.quiet_hours > 0 && seen.digest > 0 && seen.deferredDigest > 0 && seen.now > 0;
    for (let batch = 0; batch < 5 && (batch === 0 || !covered()); batch++) assertProperty(property, 400, PROPERTY_SEED + batch);
    expect(seen.quiet_hours).toBeGreaterThan(0);
    expect(seen.digest).toBeGreaterThan(0);
    expect(seen.deferredDigest).toBeGreaterThan(0);
    expect(seen.now).toBeGreaterThan(0);
  });
});

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
