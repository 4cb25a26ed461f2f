import { describe, expect, it } from '@jest/globals';
import type { EventData } from '@herald/contracts';
import type { UserDecision } from './decision.js';
import { digestWindow, quietUntil } from './delivery-time.js';
import { instantOf } from './local-time.js';
import { route, type RouteResult } from './route.js';
import { SITE_URL, heraldEvent, row, snapshotInput, userRecord } from './routing.fixture.js';
import { buildSnapshot } from './snapshot.js';
import type { DigestSettings, QuietHours } from './snapshot-input.js';

/*
 * Quiet hours and digests (SPEC §3.6 steps 3 and 4), by example: time zones, windows crossing
 * midnight, DST, and what route() plans and says. The precedence over random inputs is in
 * route-quiet.property.spec.ts.
 */
const at = (iso: string) => new Date(iso).getTime();
const iso = (instant: number | undefined) => (instant === undefined ? undefined : new Date(instant).toISOString());

const NIGHTS: QuietHours = {
  timezone: 'Europe/Berlin',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '22:00', end: '07:00' }],
  bypass: [],
};

describe('quietUntil', () => {
  it('is the end of a window crossing midnight, on either side of midnight, in the user’s time zone', () => {
    // 23:30 and 03:00 Berlin (CET, UTC+1) on 2026-11-23/24 → 07:00 Berlin = 06:00Z
    expect(iso(quietUntil(NIGHTS, at('2026-11-23T22:30:00Z')))).toBe('2026-11-24T06:00:00.000Z');
    expect(iso(quietUntil(NIGHTS, at('2026-11-24T02:00:00Z')))).toBe('2026-11-24T06:00:00.000Z');
  });

  it('is undefined outside every window, and at the very minute a window ends', () => {
    expect(quietUntil(NIGHTS, at('2026-11-24T06:00:00Z'))).toBeUndefined();
    expect(quietUntil(NIGHTS, at('2026-11-24T12:00:00Z'))).toBeUndefined();
    expect(iso(quietUntil(NIGHTS, at('2026-11-24T05:59:59Z')))).toBe('2026-11-24T06:00:00.000Z');
  });

  it('reads the days as the day a window starts on: Friday night runs into Saturday, Saturday night does not exist', () => {
    const fridayNight: QuietHours = { timezone: 'UTC', windows: [{ days: ['fri'], start: '22:00', end: '06:00' }], bypass: [] };
    // 2026-11-27 is a Friday
    expect(iso(quietUntil(fridayNight, at('2026-11-28T03:00:00Z')))).toBe('2026-11-28T06:00:00.000Z');
    expect(quietUntil(fridayNight, at('2026-11-29T03:00:00Z'))).toBeUndefined();
    expect(quietUntil(fridayNight, at('2026-11-26T23:00:00Z'))).toBeUndefined();
  });

  it('follows back-to-back windows to the end of the last one', () => {
    const chained: QuietHours = {
      timezone: 'UTC',
      windows: [
        { days: ['mon'], start: '12:00', end: '13:00' },
        { days: ['mon'], start: '13:00', end: '14:30' },
      ],
      bypass: [],
    };
    expect(iso(quietUntil(chained, at('2026-11-23T12:10:00Z')))).toBe('2026-11-23T14:30:00.000Z');
  });

  it('keeps to the wall clock across DST: the window ends at 07:00 local in summer and in winter', () => {
    // 2026-03-29: Berlin moves from UTC+1 to UTC+2 at 01:00Z; the night before ends at 07:00 CEST = 05:00Z
    expect(iso(quietUntil(NIGHTS, at('2026-03-28T23:00:00Z')))).toBe('2026-03-29T05:00:00.000Z');
    // 2026-10-25: back to UTC+1 at 01:00Z; 07:00 CET = 06:00Z
    expect(iso(quietUntil(NIGHTS, at('2026-10-24T23:00:00Z')))).toBe('2026-10-25T06:00:00.000Z');
  });

  it('ends a window whose end the clock skips (02:30 on the spring DST day) when the clock jumps past it', () => {
    const early: QuietHours = { timezone: 'Europe/Berlin', windows: [{ days: ['sat'], start: '23:00', end: '02:30' }], bypass: [] };
    expect(iso(quietUntil(early, at('2026-03-28T23:30:00Z')))).toBe('2026-03-29T01:00:00.000Z');
  });
});

describe('instantOf', () => {
  it('gives the first occurrence of a repeated local time and the transition for a skipped one', () => {
    expect(new Date(instantOf('Europe/Berlin', 2026, 10, 25, 2, 30)).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(new Date(instantOf('Europe/Berlin', 2026, 3, 29, 2, 30)).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(new Date(instantOf('Asia/Kolkata', 2026, 11, 23, 9, 15)).toISOString()).toBe('2026-11-23T03:45:00.000Z');
  });
});

describe('digestWindow', () => {
  it('hourly: the local hour the delivery falls in, also in a half-hour time zone', () => {
    expect(digestWindow('hourly', 'UTC', at('2026-11-23T10:20:00Z'))).toEqual({
      start: at('2026-11-23T10:00:00Z'),
      due: at('2026-11-23T11:00:00Z'),
    });
    // Kolkata is UTC+5:30: its hours start at :30 UTC
    expect(digestWindow('hourly', 'Asia/Kolkata', at('2026-11-23T10:20:00Z'))).toEqual({
      start: at('2026-11-23T09:30:00Z'),
      due: at('2026-11-23T10:30:00Z'),
    });
  });

  it('daily at HH:MM: due at the next HH:MM local time; a delivery made exactly then waits a day, one released then joins', () => {
    expect(digestWindow('daily at 08:30', 'Europe/Berlin', at('2026-11-23T10:00:00Z'))).toEqual({
      start: at('2026-11-23T07:30:00Z'),
      due: at('2026-11-24T07:30:00Z'),
    });
    expect(digestWindow('daily at 08:30', 'Europe/Berlin', at('2026-11-23T07:30:00Z')).due).toBe(at('2026-11-24T07:30:00Z'));
    expect(digestWindow('daily at 08:30', 'Europe/Berlin', at('2026-11-23T07:30:00Z'), true).due).toBe(at('2026-11-23T07:30:00Z'));
  });
});

/* route(): alice has quiet hours and digests; bob has neither. */
const ALICE = userRecord('2', 'alice');
const BOB = userRecord('3', 'bob');
const MONDAY_NIGHT = new Date('2026-11-23T23:30:00Z'); // 00:30 Tuesday in Berlin
const MONDAY_NOON = new Date('2026-11-23T11:10:00Z');

function run(
  type: string,
  data: Partial<EventData>,
  now: Date,
  options: { quiet?: QuietHours; digests?: DigestSettings; trump?: readonly string[] } = {},
): RouteResult {
  const channels = { other: ['alert', 'mail', 'slack', 'webhooks'], user_mentioned: ['alert', 'mail'], code_review: ['mail'] };
  const input = snapshotInput({
    users: [ALICE, BOB],
    productTypes: [{ id: '3', name: 'Internal' }],
    products: [{ id: '7', name: 'Web', product_type_id: '3' }],
    productMembers: [
      { scope_id: '7', user_id: '2', role: 'Writer' },
      { scope_id: '7', user_id: '3', role: 'Writer' },
    ],
    personal: [
      {
        user_id: '2',
        events: row(channels),
        ...(options.quiet === undefined ? {} : { quiet_hours: options.quiet }),
        ...(options.digests === undefined ? {} : { digests: options.digests }),
      },
      { user_id: '3', events: row(channels) },
    ],
    ...(options.trump === undefined ? {} : { systemLevelTrump: options.trump }),
  });
  return route(heraldEvent(type, { product: { id: '7', name: 'Web' }, ...data }), buildSnapshot(input), { siteUrl: SITE_URL, now });
}

function decisionOf(result: RouteResult, username: string): UserDecision {
  const found = result.decisions.find((d): d is UserDecision => d.scope === 'user' && d.username === username);
  if (found === undefined) throw new Error(`no decision for ${username}`);
  return found;
}

function holds(result: RouteResult): string[] {
  return result.deliveries
    .map((d) => `${d.channel}:${d.destination.scope === 'personal' ? d.destination.user.username : 'system'}:${d.hold?.kind ?? 'now'}`)
    .sort();
}

describe('route() with quiet hours', () => {
  it('defers the push channels of a user in a quiet window to its end; alert and other users go at once', () => {
    const result = run('other', {}, MONDAY_NIGHT, { quiet: NIGHTS });
    expect(holds(result)).toEqual([
      'alert:alice:now',
      'alert:bob:now',
      'mail:alice:quiet_hours',
      'mail:bob:now',
      'slack:alice:quiet_hours',
      'slack:bob:now',
      'webhooks:alice:quiet_hours',
      'webhooks:bob:now',
    ]);
    const mail = result.deliveries.find((d) => d.channel === 'mail' && d.destination.scope === 'personal' && d.destination.user.id === '2');
    expect(mail?.hold).toEqual({ kind: 'quiet_hours', release_at: '2026-11-24T06:00:00.000Z', column: 'other' });
    const alice = decisionOf(result, 'alice');
    expect(alice.channels).toEqual(['alert', 'mail', 'slack', 'webhooks']);
    expect(alice.held).toEqual(
      ['mail', 'slack', 'webhooks'].map((channel) => ({
        channel,
        kind: 'quiet_hours',
        release_at: '2026-11-24T06:00:00.000Z',
        reason: 'deferred until 07:00 Europe/Berlin',
      })),
    );
    expect(decisionOf(result, 'bob').held).toBeUndefined();
  });

  it('sends everything at once outside the window', () => {
    const result = run('other', {}, MONDAY_NOON, { quiet: NIGHTS });
    expect(result.deliveries).toHaveLength(8);
    expect(result.deliveries.every((d) => d.hold === undefined)).toBe(true);
    expect(decisionOf(result, 'alice').held).toBeUndefined();
  });

  it('does not defer a bypass column', () => {
    const result = run('other', {}, MONDAY_NIGHT, { quiet: { ...NIGHTS, bypass: ['other'] } });
    expect(result.deliveries).toHaveLength(8);
    expect(result.deliveries.every((d) => d.hold === undefined)).toBe(true);
  });

  it('does not defer a trumped event, nor digest it', () => {
    const result = run('user_mentioned', { recipients: ['alice'] }, MONDAY_NIGHT, {
      quiet: NIGHTS,
      digests: { user_mentioned: { mail: 'hourly' } },
      trump: ['user_mentioned'],
    });
    expect(holds(result)).toEqual(['alert:alice:now', 'mail:alice:now']);
  });

  it('does not defer an event whose column is trumped, even when its own type is not listed', () => {
    // An unknown type routes by `other`; `other` is trumped, so nothing is held.
    const result = run('pipeline_exploded', {}, MONDAY_NIGHT, { quiet: NIGHTS, digests: { other: { mail: 'hourly' } }, trump: ['other'] });
    expect(result.column).toBe('other');
    expect(holds(result)).toEqual([
      'alert:alice:now',
      'alert:bob:now',
      'mail:alice:now',
      'mail:bob:now',
      'slack:alice:now',
      'slack:bob:now',
      'webhooks:alice:now',
      'webhooks:bob:now',
    ]);
    expect(Object.keys(decisionOf(result, 'alice'))).not.toContain('held');
  });

  it('with alert_only defers nothing: only the alert is sent', () => {
    const result = run('other', { alert_only: true }, MONDAY_NIGHT, { quiet: NIGHTS, digests: { other: { mail: 'hourly' } } });
    expect(holds(result)).toEqual(['alert:alice:now', 'alert:bob:now']);
  });
});

describe('route() with digests', () => {
  it('collects a digested (column, channel) into the window due next; other channels are untouched', () => {
    const result = run('other', {}, MONDAY_NOON, { digests: { other: { mail: 'hourly', slack: 'daily at 18:00' } } });
    expect(holds(result)).toEqual([
      'alert:alice:now',
      'alert:bob:now',
      'mail:alice:digest',
      'mail:bob:now',
      'slack:alice:digest',
      'slack:bob:now',
      'webhooks:alice:now',
      'webhooks:bob:now',
    ]);
    const alice = decisionOf(result, 'alice');
    expect(alice.held).toEqual([
      {
        channel: 'mail',
        kind: 'digest',
        release_at: '2026-11-23T12:00:00.000Z',
        reason: 'collected into the hourly digest due at 12:00 UTC',
      },
      {
        channel: 'slack',
        kind: 'digest',
        release_at: '2026-11-23T18:00:00.000Z',
        reason: 'collected into the daily at 18:00 digest due at 18:00 UTC',
      },
    ]);
    const mail = result.deliveries.find((d) => d.channel === 'mail' && d.hold !== undefined);
    expect(mail?.hold).toEqual({
      kind: 'digest',
      release_at: '2026-11-23T12:00:00.000Z',
      column: 'other',
      schedule: 'hourly',
      window_start: '2026-11-23T11:00:00.000Z',
    });
  });

  it('reads digest times in the quiet hours’ time zone, and a deferred delivery joins the digest due at the window’s end', () => {
    const result = run('other', {}, MONDAY_NIGHT, { quiet: NIGHTS, digests: { other: { mail: 'hourly', slack: 'daily at 09:00' } } });
    const alice = decisionOf(result, 'alice');
    expect(alice.held).toEqual([
      {
        channel: 'mail',
        kind: 'digest',
        release_at: '2026-11-24T06:00:00.000Z',
        reason: 'deferred until 07:00 Europe/Berlin, then collected into the hourly digest due at 07:00 Europe/Berlin',
      },
      {
        channel: 'slack',
        kind: 'digest',
        release_at: '2026-11-24T08:00:00.000Z',
        reason: 'deferred until 07:00 Europe/Berlin, then collected into the daily at 09:00 digest due at 09:00 Europe/Berlin',
      },
      { channel: 'webhooks', kind: 'quiet_hours', release_at: '2026-11-24T06:00:00.000Z', reason: 'deferred until 07:00 Europe/Berlin' },
    ]);
  });

  it('a delivery made exactly when a digest is due joins the next one (only a delivery released then joins it)', () => {
    const result = run('other', {}, new Date('2026-11-23T12:00:00Z'), { digests: { other: { mail: 'hourly' } } });
    const mail = result.deliveries.find((d) => d.channel === 'mail' && d.hold !== undefined);
    expect(mail?.hold).toEqual({
      kind: 'digest',
      release_at: '2026-11-23T13:00:00.000Z',
      column: 'other',
      schedule: 'hourly',
      window_start: '2026-11-23T12:00:00.000Z',
    });
  });

  it('a decision has no `held` entry at all when everything goes at once', () => {
    const result = run('other', {}, MONDAY_NOON, { quiet: NIGHTS, digests: { code_review: { mail: 'hourly' } } });
    expect(Object.keys(decisionOf(result, 'alice'))).not.toContain('held');
    expect(Object.keys(decisionOf(result, 'bob'))).not.toContain('held');
  });

  it('only digests the column it is set for', () => {
    const result = run('code_review', {}, MONDAY_NOON, { digests: { other: { mail: 'hourly' } } });
    expect(result.deliveries).toHaveLength(2);
    expect(result.deliveries.every((d) => d.hold === undefined)).toBe(true);
  });
});
