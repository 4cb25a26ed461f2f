/**
 * Pure helpers for settings rows (SPEC §3.1). Invariant: a row handed out by Herald has exactly one
 * entry per known column — system, template and personal rows default a missing column to the
 * event type's default channels; product rows default to empty and never carry a channel on a
 * column that is not product-scoped (DefectDojo's "alert everywhere" defect).
 */
import type { EventTypeDefinition } from '@herald/contracts';

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
