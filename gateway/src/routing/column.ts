/**
 * Which preference column routes an event type (SPEC §2.2, §3.4). Invariant: the result is always
 * a column of the snapshot's event types, or `other` — an unknown type never routes by its own name.
 */
import { EVENT_COLUMN_ALIASES, OTHER_EVENT } from '@herald/contracts';
import type { Snapshot } from './snapshot.js';

export interface ColumnResolution {
  readonly column: string;
  /** `false` when the type has no column of its own or by alias and falls back to `other`. */
  readonly known: boolean;
}

/**
 * A registered type routes by its own column; an aliased name (`engagement_closed`) by its
 * target (`close_engagement`, where DefectDojo wrongly uses `other`); anything else by `other`.
 */
export function resolveColumn(eventType: string, snapshot: Pick<Snapshot, 'eventTypes'>): ColumnResolution {
  if (snapshot.eventTypes.has(eventType)) return { column: eventType, known: true };
  const alias = EVENT_COLUMN_ALIASES[eventType];
  if (alias !== undefined && snapshot.eventTypes.has(alias)) return { column: alias, known: true };
  return { column: OTHER_EVENT, known: false };
}

export function eventColumn(eventType: string, snapshot: Pick<Snapshot, 'eventTypes'>): string {
  return resolveColumn(eventType, snapshot).column;
}
