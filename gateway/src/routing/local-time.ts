/**
 * Wall-clock arithmetic in IANA time zones for quiet hours and digests (SPEC §3.6), on
 * `Intl.DateTimeFormat` alone. Pure: every function takes the instant it reasons about. A local
 * time that does not exist (the hour skipped when DST starts) is the instant the clock jumps past
 * it; one that exists twice (the hour repeated when DST ends) is its first occurrence.
 */

/** A local calendar date and time of day. `weekday`: 0 = Monday … 6 = Sunday. */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const DAY = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let formatter = formats.get(timeZone);
  // Stryker disable next-line ConditionalExpression: equivalent — a cache: a new formatter each time formats the same.
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    // Stryker disable next-line all: equivalent — a cache (see above).
    formats.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `name` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`, …). */
export function isTimeZone(name: string): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent — `Intl.DateTimeFormat` rejects an empty time zone as well; the check saves the exception.
  if (name.length === 0) return false;
  try {
    format(name);
    return true;
  } catch {
    return false;
  }
}

/** The local date and time at `instant` in `timeZone`. */
export function localTime(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of format(timeZone).formatToParts(new Date(instant))) parts[part.type] = part.value;
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
    // Stryker disable next-line StringLiteral: unreachable — `formatToParts` always gives a weekday (the format asks for one).
    weekday: WEEKDAY_INDEX[parts['weekday'] ?? ''] ?? 0,
  };
}

/** Milliseconds `timeZone` is ahead of UTC at `instant` (whole seconds). */
function offsetAt(instant: number, timeZone: string): number {
  const local = localTime(instant, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant the local clock in `timeZone` shows `year-month-day hour:minute` (day overflow is
 * allowed: day 32 is the next month's first). A skipped local time gives the DST transition.
 */
export function instantOf(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets a day either side are those before and after any transition near this time.
  const before = wall - offsetAt(wall - DAY, timeZone);
  const after = wall - offsetAt(wall + DAY, timeZone);
  const earlier = Math.min(before, after);
  const later = Math.max(before, after);
  if (matches(earlier, timeZone, wall)) return earlier;
  // Stryker disable next-line ConditionalExpression: equivalent — a shortcut: the search below finds the same instant, the first showing `wall`.
  if (matches(later, timeZone, wall)) return later;
  // A skipped wall time: the clock jumps past it at the transition, the first instant it shows a
  // later time. Binary search between the candidates (the transition lies between them).
  let low = earlier;
  let high = later;
  while (high - low > 1000) {
    const middle = low + Math.max(1, Math.floor((high - low) / 2000)) * 1000;
    // Stryker disable next-line EqualityOperator: equivalent — in a skipped hour no instant shows `wall` itself, so `>` decides as `>=`.
    if (middle + offsetAt(middle, timeZone) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

function matches(instant: number, timeZone: string, wall: number): boolean {
  return instant + offsetAt(instant, timeZone) === wall;
}

/** `HH:MM` → minutes after midnight; the caller validated the format. */
export function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** Minutes after midnight → `HH:MM`. */
export function clockOf(minutes: number): string {
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** The instant at local `minutes` after midnight on the local date of `local` shifted by `days`. */
export function atLocal(timeZone: string, local: LocalTime, days: number, minutes: number): number {
  return instantOf(timeZone, local.year, local.month, local.day + days, Math.floor(minutes / 60), minutes % 60);
}
