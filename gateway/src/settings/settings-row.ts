/**
 * Pure helpers for settings rows (SPEC §3.1). Invariant: a row handed out by Herald has exactly one
 * entry per known column — system, template and personal rows default a missing column to the
 * event type's default channels; product rows default to empty and never carry a channel on a
 * column that is not product-scoped (DefectDojo's "alert everywhere" defect).
 */
import { SEVERITIES, type EventTypeDefinition, type Severity } from '@herald/contracts';
import {
  isClock,
  isDayName,
  isDigestSchedule,
  isTimeZone,
  type ColumnFilter,
  type QuietHours,
  type QuietWindow,
} from '../routing/index.js';

/** Which kind of row: one system row, at most one template, one personal row per user, product rows per user×product. */
export type SettingsScope = 'system' | 'template' | 'personal' | 'product';

/** Column → channels. */
export type EventsRow = Record<string, string[]>;

/** The row a `PUT` with no columns would store. */
export function defaultRow(scope: SettingsScope, eventTypes: readonly EventTypeDefinition[]): EventsRow {
  const row: EventsRow = {};
  for (const type of eventTypes) row[type.name] = scope === 'product' ? [] : [...type.defaultChannels];
  return row;
}

/**
 * A stored row made complete for today's event types: known columns kept (non-product columns of a
 * product row emptied), missing columns defaulted, columns of types no longer known dropped.
 */
export function completeRow(stored: unknown, scope: SettingsScope, eventTypes: readonly EventTypeDefinition[]): EventsRow {
  const source = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
  const row = defaultRow(scope, eventTypes);
  for (const type of eventTypes) {
    if (scope === 'product' && !type.productScoped) continue;
    const value = source[type.name];
    if (Array.isArray(value)) row[type.name] = value.filter((channel): channel is string => typeof channel === 'string');
  }
  return row;
}

/** Channel lists without repeats, first occurrence kept. */
export function dedupeChannels(events: Readonly<Record<string, readonly string[]>>): EventsRow {
  const out: EventsRow = {};
  for (const [column, channels] of Object.entries(events)) out[column] = [...new Set(channels)];
  return out;
}

/** Column → filter (SPEC §3.6); only columns with a filter are present. */
export type FiltersRow = Record<string, ColumnFilter>;

/** Filters as a write gives them: `null` removes a column's filter (PATCH) or states there is none (PUT). */
export type FiltersPatch = Record<string, ColumnFilter | null>;

const SEVERITY_NAMES: ReadonlySet<string> = new Set(SEVERITIES);

/**
 * Stored filters made fit for today's event types: filters of unknown columns (and, on product
 * rows, of columns that are not product-scoped) dropped, clauses of the wrong shape dropped, a
 * filter left with no clause dropped.
 */
export function completeFilters(stored: unknown, scope: SettingsScope, eventTypes: readonly EventTypeDefinition[]): FiltersRow {
  const source = isRecord(stored) ? stored : {};
  const row: FiltersRow = {};
  for (const type of eventTypes) {
    if (scope === 'product' && !type.productScoped) continue;
    const value = source[type.name];
    if (!isRecord(value)) continue;
    const filter: { min_severity?: Severity; product_types?: string[]; tags_any?: string[] } = {};
    if (typeof value['min_severity'] === 'string' && SEVERITY_NAMES.has(value['min_severity'])) {
      filter.min_severity = value['min_severity'] as Severity;
    }
    const productTypes = strings(value['product_types']);
    if (productTypes.length > 0) filter.product_types = productTypes;
    const tags = strings(value['tags_any']);
    if (tags.length > 0) filter.tags_any = tags;
    if (Object.keys(filter).length > 0) row[type.name] = filter;
  }
  return row;
}

/** Filter lists without repeats, first occurrence kept; `null` entries kept (they remove a filter). */
export function dedupeFilters(filters: Readonly<FiltersPatch>): FiltersPatch {
  const out: FiltersPatch = {};
  for (const [column, filter] of Object.entries(filters)) {
    if (filter === null) {
      out[column] = null;
      continue;
    }
    out[column] = {
      ...(filter.min_severity === undefined ? {} : { min_severity: filter.min_severity }),
      ...(filter.product_types === undefined ? {} : { product_types: [...new Set(filter.product_types)] }),
      ...(filter.tags_any === undefined ? {} : { tags_any: [...new Set(filter.tags_any)] }),
    };
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.length > 0) : [];
}

/** Column → channel → digest schedule (SPEC §3.6). */
export type DigestsRow = Record<string, Record<string, string>>;

/** Digests as a write gives them: `null` removes a column's digests (PATCH). */
export type DigestsPatch = Record<string, Record<string, string> | null>;

/**
 * Stored quiet hours made fit for today: `null` when none or of the wrong shape or time zone,
 * windows of the wrong shape dropped, bypass columns no longer known dropped.
 */
export function completeQuietHours(stored: unknown, eventTypes: readonly EventTypeDefinition[]): QuietHours | null {
  if (!isRecord(stored) || typeof stored['timezone'] !== 'string' || !isTimeZone(stored['timezone'])) return null;
  const windows: QuietWindow[] = [];
  for (const value of Array.isArray(stored['windows']) ? (stored['windows'] as unknown[]) : []) {
    if (!isRecord(value)) continue;
    const { start, end } = value;
    const days = strings(value['days']).filter(isDayName);
    if (typeof start !== 'string' || typeof end !== 'string' || !isClock(start) || !isClock(end) || start === end || days.length === 0)
      continue;
    windows.push({ days, start, end });
  }
  const known = new Set(eventTypes.map((type) => type.name));
  return { timezone: stored['timezone'], windows, bypass: strings(stored['bypass']).filter((column) => known.has(column)) };
}

/** Stored digests made fit for today: unknown columns, `alert`, and schedules of the wrong form dropped. */
export function completeDigests(stored: unknown, eventTypes: readonly EventTypeDefinition[]): DigestsRow {
  const source = isRecord(stored) ? stored : {};
  const row: DigestsRow = {};
  for (const type of eventTypes) {
    const value = source[type.name];
    if (!isRecord(value)) continue;
    const channels: Record<string, string> = {};
    for (const [channel, schedule] of Object.entries(value)) {
      if (channel !== 'alert' && typeof schedule === 'string' && isDigestSchedule(schedule)) channels[channel] = schedule;
    }
    if (Object.keys(channels).length > 0) row[type.name] = channels;
  }
  return row;
}

/** Quiet hours as written: `bypass` defaulted and without repeats, days without repeats. */
export function normaliseQuietHours(quiet: {
  timezone: string;
  windows: ReadonlyArray<{ days: readonly string[]; start: string; end: string }>;
  bypass?: readonly string[] | undefined;
}): QuietHours {
  return {
    timezone: quiet.timezone,
    windows: quiet.windows.map((window) => ({ days: [...new Set(window.days)], start: window.start, end: window.end })),
    bypass: [...new Set(quiet.bypass ?? [])],
  };
}
