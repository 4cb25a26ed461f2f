/**
 * Validation of a settings body `{ "events": { "<column>": ["<channel>", …] } }` (SPEC §3.1, §7).
 * Pure: returns every problem found (never throws), each with a path such as
 * `events.scan_added[1]` and a message naming the offending value.
 */
import {
  BUILTIN_CHANNELS,
  EVENT_COLUMN_ALIASES,
  SYSTEM_ONLY_CHANNELS,
  severitySchema,
  toValidationIssues,
  type EventTypeDefinition,
  type ValidationIssue,
} from '@herald/contracts';
import { z } from 'zod';
import { isClock, isDayName, isDigestSchedule, isTimeZone, WEEKDAYS } from '../routing/index.js';
import type { SettingsScope } from './settings-row.js';

const nonEmptyList = (what: string, leaveOut: string) =>
  z
    .array(z.string({ error: `must be ${what} (a string)` }).min(1, { error: `must not be an empty ${what}` }), {
      error: `must be a list of ${what}s`,
    })
    .min(1, { error: `must not be empty: leave ${leaveOut} out to accept every event` })
    .max(100, { error: 'must list at most 100 entries' });

/**
 * A filter on one column (SPEC §3.6): every clause given must pass for the row's channels to count.
 * At least one clause; `null` instead of a filter removes the column's filter.
 */
export const columnFilterSchema = z.strictObject({
  /** Only events at least this severe (`data.severity`, else `data.finding.severity`); an event without severity does not pass. */
  min_severity: severitySchema.optional(),
  /** Only events whose product type id (from the event's scope, the directory first) is listed; an event without one does not pass. */
  product_types: nonEmptyList('product type id', 'product_types').optional(),
  /** Only events with at least one of these tags in `data.tags` (exact, case-sensitive match). */
  tags_any: nonEmptyList('tag', 'tags_any').optional(),
});

/** One quiet window; `end` before (or at) `start` crosses midnight: `{ days: ["mon"], start: "22:00", end: "07:00" }`. */
export const quietWindowSchema = z.strictObject({
  /** The days the window starts on. */
  days: z
    .array(z.string({ error: 'must be a day name (a string)' }), { error: 'must be a list of day names' })
    .min(1, { error: `must name at least one day (${WEEKDAYS.join(', ')})` })
    .max(7),
  /** `HH:MM`, 24-hour local time. */
  start: z.string({ error: 'must be a time of day "HH:MM"' }),
  /** `HH:MM`, 24-hour local time; not equal to `start`. */
  end: z.string({ error: 'must be a time of day "HH:MM"' }),
});

/**
 * Quiet hours (SPEC §3.6): during a window the user's push deliveries (mail, Slack DM, personal
 * webhooks) wait for the window's end; `alert`, bypass columns and trumped events go at once.
 * The time zone is also the one digests are read in.
 */
export const quietHoursSchema = z.strictObject({
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone: z.string({ error: 'must be an IANA time zone name such as "Europe/Berlin"' }),
  windows: z.array(quietWindowSchema, { error: 'must be a list of windows' }).max(28, { error: 'must list at most 28 windows' }),
  /** Columns never deferred. @default [] */
  bypass: z
    .array(z.string({ error: 'must be a column name' }), { error: 'must be a list of column names' })
    .max(100)
    .optional(),
});

/** Column → channel → `hourly` or `daily at HH:MM` (in the quiet hours' time zone, else UTC); `null` removes a column's digests. */
export const digestsSchema = z.record(
  z.string(),
  z.record(z.string(), z.string({ error: 'must be "hourly" or "daily at HH:MM"' }), { error: 'must map channels to schedules' }).nullable(),
);

/** The body shape; columns, channels and product types are checked against the context afterwards. */
export const settingsBodySchema = z.strictObject({
  events: z.record(z.string(), z.array(z.string())),
  /** Column → filter, or `null` to remove it. PUT: columns left out have no filter; PATCH: columns left out keep theirs. */
  filters: z.record(z.string(), columnFilterSchema.nullable()).optional(),
  /** Personal rows and the template only. PUT: left out means none; PATCH: left out keeps them, `null` removes them. */
  quiet_hours: quietHoursSchema.nullable().optional(),
  /** Personal rows and the template only. PUT: left out means none; PATCH: columns left out keep theirs, `null` removes a column's. */
  digests: digestsSchema.optional(),
});
export type SettingsBody = z.infer<typeof settingsBodySchema>;

export interface SettingsValidationContext {
  /** The row being written; `msteams` is accepted in `system` only, product rows take product-scoped columns only. */
  readonly scope: SettingsScope;
  /** The catalogue plus registered event types: the known columns. */
  readonly eventTypes: readonly EventTypeDefinition[];
  /** Channels known besides the built-in ones (registered or configured third-party channels). @default [] */
  readonly extraChannels?: readonly string[];
  /** Product type ids of the directory, at least those the body's filters name; `undefined` skips the check. */
  readonly productTypes?: ReadonlySet<string>;
}

/** Every product type id the body's filters name (for the caller to look up before validating). */
export function filterProductTypes(body: unknown): string[] {
  const parsed = settingsBodySchema.safeParse(body);
  if (!parsed.success) return [];
  return [...new Set(Object.values(parsed.data.filters ?? {}).flatMap((filter) => filter?.product_types ?? []))];
}

const SCOPE_NAMES: Record<SettingsScope, string> = {
  system: 'system settings',
  template: 'the settings template',
  personal: 'personal settings',
  product: 'product settings',
};

export function validateSettings(body: unknown, context: SettingsValidationContext): ValidationIssue[] {
  const parsed = settingsBodySchema.safeParse(body);
  if (!parsed.success) return toValidationIssues(parsed.error, body);

  const issues: ValidationIssue[] = [];
  const types = new Map(context.eventTypes.map((type) => [type.name, type]));
  const channels = [...new Set([...BUILTIN_CHANNELS, ...(context.extraChannels ?? [])])];
  const known = new Set(channels);
  const productColumns = context.eventTypes.filter((type) => type.productScoped).map((type) => type.name);
  const columnIssue = (path: string, column: string): ValidationIssue | undefined => {
    const type = types.get(column);
    if (!type) {
      const alias = EVENT_COLUMN_ALIASES[column];
      return alias
        ? { path, message: `"${column}" has no column of its own: it is routed by "${alias}"; set "${alias}" instead` }
        : { path, message: `unknown event type "${column}"`, expected: `one of ${[...types.keys()].join(', ')}` };
    }
    if (context.scope === 'product' && !type.productScoped) {
      return { path, message: `"${column}" cannot be set per product: only ${productColumns.join(', ')} can be set per product` };
    }
    return undefined;
  };

  for (const [column, list] of Object.entries(parsed.data.events)) {
    const path = `events.${column}`;
    const wrongColumn = columnIssue(path, column);
    if (wrongColumn !== undefined) {
      issues.push(wrongColumn);
      continue;
    }
    list.forEach((channel, index) => {
      const at = `${path}[${index}]`;
      if (!known.has(channel)) {
        issues.push({ path: at, message: `unknown channel "${channel}"`, expected: `one of ${channels.join(', ')}` });
      } else if (SYSTEM_ONLY_CHANNELS.has(channel) && context.scope !== 'system') {
        issues.push({ path: at, message: `"${channel}" can only be used in the system settings, not in ${SCOPE_NAMES[context.scope]}` });
      }
    });
  }
  for (const [column, filter] of Object.entries(parsed.data.filters ?? {})) {
    const path = `filters.${column}`;
    const wrongColumn = columnIssue(path, column);
    if (wrongColumn !== undefined) {
      issues.push(wrongColumn);
      continue;
    }
    if (filter === null) continue;
    if (filter.min_severity === undefined && filter.product_types === undefined && filter.tags_any === undefined) {
      issues.push({
        path,
        message: 'an empty filter: give at least one of min_severity, product_types, tags_any, or null to remove the filter',
      });
      continue;
    }
    const productTypes = context.productTypes;
    filter.product_types?.forEach((id, index) => {
      if (productTypes !== undefined && !productTypes.has(id)) {
        issues.push({
          path: `${path}.product_types[${index}]`,
          message: `unknown product type "${id}": create it first (PUT /api/v1/product-types/${id}) or use the id of an existing one`,
        });
      }
    });
  }
  const perUser = context.scope === 'personal' || context.scope === 'template';
  const quiet = parsed.data.quiet_hours;
  if (quiet !== undefined && quiet !== null) {
    if (!perUser) {
      issues.push({
        path: 'quiet_hours',
        message: `quiet hours are per user: set them in personal settings or the template, not in ${SCOPE_NAMES[context.scope]}`,
      });
    } else {
      if (!isTimeZone(quiet.timezone)) {
        issues.push({
          path: 'quiet_hours.timezone',
          message: `unknown time zone "${quiet.timezone}": use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC"`,
        });
      }
      quiet.windows.forEach((window, index) => {
        const at = `quiet_hours.windows[${index}]`;
        window.days.forEach((day, dayIndex) => {
          if (!isDayName(day))
            issues.push({ path: `${at}.days[${dayIndex}]`, message: `unknown day "${day}"`, expected: `one of ${WEEKDAYS.join(', ')}` });
        });
        for (const field of ['start', 'end'] as const) {
          if (!isClock(window[field])) {
            issues.push({
              path: `${at}.${field}`,
              message: `"${window[field]}" is not a time of day: write it as HH:MM, 24-hour, e.g. "07:00"`,
            });
          }
        }
        if (window.start === window.end) {
          issues.push({ path: `${at}.end`, message: 'equals start: a window needs a length (an end before start crosses midnight)' });
        }
      });
      (quiet.bypass ?? []).forEach((column, index) => {
        const wrong = columnIssue(`quiet_hours.bypass[${index}]`, column);
        if (wrong !== undefined) issues.push(wrong);
      });
    }
  }
  for (const [column, byChannel] of Object.entries(parsed.data.digests ?? {})) {
    const path = `digests.${column}`;
    if (!perUser) {
      issues.push({
        path,
        message: `digests are per user: set them in personal settings or the template, not in ${SCOPE_NAMES[context.scope]}`,
      });
      continue;
    }
    const wrongColumn = columnIssue(path, column);
    if (wrongColumn !== undefined) {
      issues.push(wrongColumn);
      continue;
    }
    for (const [channel, schedule] of Object.entries(byChannel ?? {})) {
      const at = `${path}.${channel}`;
      if (channel === 'alert') {
        issues.push({ path: at, message: 'alerts are never digested: in-app alerts always go at once; remove "alert"' });
      } else if (!known.has(channel)) {
        issues.push({
          path: at,
          message: `unknown channel "${channel}"`,
          expected: `one of ${channels.filter((name) => name !== 'alert').join(', ')}`,
        });
      } else if (SYSTEM_ONLY_CHANNELS.has(channel)) {
        issues.push({ path: at, message: `"${channel}" only has a system destination: there is no personal delivery to digest` });
      } else if (!isDigestSchedule(schedule)) {
        issues.push({
          path: at,
          message: `"${schedule}" is not a digest schedule: use "hourly" or "daily at HH:MM" (24-hour), e.g. "daily at 08:30"`,
        });
      }
    }
  }
  return issues;
}
