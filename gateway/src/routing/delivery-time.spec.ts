import { describe, expect, it } from '@jest/globals';
import { digestWindow, isClock, isDayName, isDigestSchedule, quietUntil } from './delivery-time.js';
import { isTimeZone, WEEKDAYS } from './local-time.js';
import type { QuietHours } from './snapshot-input.js';

const at = (iso: string) => new Date(iso).getTime();
const iso = (instant: number | undefined) => (instant === undefined ? undefined : new Date(instant).toISOString());
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/*
 * The checks settings validation builds on (SPEC §3.6): what a quiet window's clock times and
 * days, a digest schedule and a time zone may be. Boundaries of every field are listed.
 */
describe('isClock', () => {
  it.each(['00:00', '09:05', '10:30', '19:59', '20:00', '23:59'])('accepts %s', (value) => {
    expect(isClock(value)).toBe(true);
  });

  it.each(['24:00', '29:00', '30:00', '7:00', '07:0', '07:60', '0a:00', '07:0a', '0700', ' 07:00', 'x07:00', '07:00 ', '07:00x', ''])(
    'rejects %j',
    (value) => {
      expect(isClock(value)).toBe(false);
    },
  );
});

describe('isDigestSchedule', () => {
  it.each(['hourly', 'daily at 00:00', 'daily at 09:05', 'daily at 19:59', 'daily at 20:00', 'daily at 23:59'])('accepts %s', (value) => {
    expect(isDigestSchedule(value)).toBe(true);
  });

  it.each([
    'Hourly',
    'hourly ',
    ' hourly',
    'daily',
    'daily at 24:00',
    'daily at 29:00',
    'daily at 7:00',
    'daily at 07:60',
    'daily at 0a:00',
    'daily at 07:0a',
    'daily at 0700',
    'daily 07:00',
    ' daily at 07:00',
    'xdaily at 07:00',
    'daily at 07:00 ',
    'daily at 07:00x',
    '07:00',
    '',
  ])('rejects %j', (value) => {
    expect(isDigestSchedule(value)).toBe(false);
  });
});

describe('isDayName', () => {
  it('accepts the seven lower-case three-letter names, Monday first', () => {
    expect(WEEKDAYS).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect(WEEKDAYS.filter(isDayName)).toEqual([...WEEKDAYS]);
  });

  it.each(['Mon', 'monday', 'mo', 'weekend', ''])('rejects %j', (value) => {
    expect(isDayName(value)).toBe(false);
  });
});

describe('isTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns'])('accepts %s', (value) => {
    expect(isTimeZone(value)).toBe(true);
  });

  it.each(['', 'Mars/Olympus', 'Europe/Berlin ', 'CET+1'])('rejects %j', (value) => {
    expect(isTimeZone(value)).toBe(false);
  });
});

describe('quietUntil at the edges', () => {
  it('is quiet from the very minute a window crossing midnight starts', () => {
    const nights: QuietHours = { timezone: 'Europe/Berlin', windows: [{ days: EVERY_DAY, start: '22:00', end: '07:00' }], bypass: [] };
    // 22:00 Berlin (CET) on Monday 2026-11-23 = 21:00Z
    expect(iso(quietUntil(nights, at('2026-11-23T21:00:00Z')))).toBe('2026-11-24T06:00:00.000Z');
    expect(quietUntil(nights, at('2026-11-23T20:59:59Z'))).toBeUndefined();
  });

  it('follows overlapping windows to the latest end, and an always-quiet schedule a week ahead at most', () => {
    // Always quiet: 00:00–12:00 and 12:00–24:00 every day, with shorter windows overlapping the
    // first one listed before and after it. Each hop goes to the latest end of the windows active
    // then (12:00 or midnight, never 03:00 or 06:00): 14 hops from Monday 10:00 reach Monday 00:00
    // a week later, where the search stops.
    const always: QuietHours = {
      timezone: 'UTC',
      windows: [
        { days: EVERY_DAY, start: '00:00', end: '06:00' },
        { days: EVERY_DAY, start: '00:00', end: '12:00' },
        { days: EVERY_DAY, start: '00:00', end: '03:00' },
        { days: EVERY_DAY, start: '12:00', end: '00:00' },
      ],
      bypass: [],
    };
    expect(iso(quietUntil(always, at('2026-11-23T10:00:00Z')))).toBe('2026-11-30T00:00:00.000Z');
  });
});

describe('digestWindow at the edges', () => {
  it('hourly: seconds and milliseconds of the delivery do not move its window', () => {
    expect(digestWindow('hourly', 'UTC', at('2026-11-23T10:20:30.500Z'))).toEqual({
      start: at('2026-11-23T10:00:00Z'),
      due: at('2026-11-23T11:00:00Z'),
    });
    expect(digestWindow('hourly', 'Asia/Kolkata', at('2026-11-23T10:29:59.999Z'))).toEqual({
      start: at('2026-11-23T09:30:00Z'),
      due: at('2026-11-23T10:30:00Z'),
    });
  });
});
