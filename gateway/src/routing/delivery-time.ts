/**
 * When a personal push delivery goes (SPEC §3.6 steps 3 and 4): at once, at the end of the user's
 * quiet window, or with the digest of its (channel, column) due next. Pure: the current instant is
 * an argument. A delivery deferred by quiet hours that also digests joins the digest due at or
 * after the window's end.
 */
import { atLocal, clockOf, localTime, minutesOf } from './local-time.js';
import type { DigestSettings, QuietHours } from './snapshot-input.js';

const HOUR = 3_600_000;
const DAILY = /^daily at ([01]\d|2[0-3]):([0-5]\d)$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_NAMES: readonly string[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `hourly`, or `daily at HH:MM` (24-hour local time). */
export function isDigestSchedule(value: string): boolean {
  return value === 'hourly' || DAILY.test(value);
}

/** `HH:MM`, 24-hour. */
export function isClock(value: string): boolean {
  return CLOCK.test(value);
}

export function isDayName(value: string): boolean {
  return DAY_NAMES.includes(value);
}

/**
 * The end of the quiet window `now` falls in, or `undefined` outside every window. Overlapping or
 * back-to-back windows are followed to the end of the last one (at most a week ahead).
 */
export function quietUntil(quiet: QuietHours, now: number): number | undefined {
  let until = now;
  for (let hop = 0; hop < 14; hop++) {
    const end = windowEnd(quiet, until);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — `windowEnd` only returns an end after `until`; the check guards the loop if it ever did not.
    if (end === undefined || end <= until) break;
    until = end;
  }
  return until > now ? until : undefined;
}

/** The latest end among the windows active at `instant`. */
function windowEnd(quiet: QuietHours, instant: number): number | undefined {
  const local = localTime(instant, quiet.timezone);
  const minute = local.hour * 60 + local.minute;
  // Stryker disable next-line StringLiteral: unreachable — `weekday` is 0…6, so the name exists.
  const today = DAY_NAMES[local.weekday] ?? 'mon';
  // Stryker disable next-line StringLiteral: unreachable — the index is 0…6.
  const yesterday = DAY_NAMES[(local.weekday + 6) % 7] ?? 'sun';
  let latest: number | undefined;
  const consider = (end: number) => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — an end at or before `instant` (only a DST-repeated hour gives one) makes `quietUntil` stop just as no end does.
    if (end <= instant) return;
    // Stryker disable next-line EqualityOperator: equivalent — `>=` only replaces an end by an equal one.
    if (latest === undefined || end > latest) latest = end;
  };
  for (const window of quiet.windows) {
    const start = minutesOf(window.start);
    const end = minutesOf(window.end);
    // Stryker disable next-line EqualityOperator: unreachable — a window's start and end differ (validated), so `<=` decides as `<`.
    if (start < end) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only — once the local minute reaches `end`, today's end is not after `instant` and `consider` drops it.
      if (minute >= end) continue;
      if (window.days.includes(today) && minute >= start) consider(atLocal(quiet.timezone, local, 0, end));
    } else {
      if (window.days.includes(today) && minute >= start) consider(atLocal(quiet.timezone, local, 1, end));
      // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only — as above, for the window that started yesterday.
      if (minute >= end) continue;
      if (window.days.includes(yesterday)) consider(atLocal(quiet.timezone, local, 0, end));
    }
  }
  return latest;
}

/** One digest window: deliveries made in it go together at `due`. */
export interface DigestWindow {
  readonly start: number;
  readonly due: number;
}

/**
 * The digest window a delivery made at `at` joins: the one ending next after `at` — or at `at`
 * itself when `atEnd` (a delivery released at the end of quiet hours joins the digest due then).
 */
export function digestWindow(schedule: string, timeZone: string, at: number, atEnd = false): DigestWindow {
  const local = localTime(at, timeZone);
  if (schedule === 'hourly') {
    const hourStart = at - ((local.minute * 60 + local.second) * 1000 + (at % 1000));
    const due = atEnd && hourStart === at ? at : hourStart + HOUR;
    return { start: due - HOUR, due };
  }
  const minutes = dailyMinutes(schedule);
  let due = atLocal(timeZone, local, 0, minutes);
  if (due < at || (due === at && !atEnd)) due = atLocal(timeZone, local, 1, minutes);
  return { start: atLocal(timeZone, localTime(due, timeZone), -1, minutes), due };
}

function dailyMinutes(schedule: string): number {
  const match = DAILY.exec(schedule);
  return match === null ? 0 : Number(match[1]) * 60 + Number(match[2]);
}

/** `HH:MM <time zone>` of an instant, as decisions show it. */
export function localClock(instant: number, timeZone: string): string {
  const local = localTime(instant, timeZone);
  return `${clockOf(local.hour * 60 + local.minute)} ${timeZone}`;
}

/** A user's digest schedule for a (column, channel), if any. */
export function digestSchedule(digests: DigestSettings, column: string, channel: string): string | undefined {
  return digests[column]?.[channel];
}
