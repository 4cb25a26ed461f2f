/**
 * The `source` shown on an in-app alert (SPEC §3.4). Invariant: a type with a column shows that
 * column's label; a type routed by `other` only as a fallback shows its own name humanised, so
 * "dummy_foo_event" reads "Dummy Foo Event", not "Other".
 */
import { humanise } from '@herald/contracts';
import { resolveColumn } from './column.js';
import type { Snapshot } from './snapshot.js';

export function alertSource(eventType: string, snapshot: Pick<Snapshot, 'eventTypes'>): string {
  const { column, known } = resolveColumn(eventType, snapshot);
  const label = known ? snapshot.eventTypes.get(column)?.label : undefined;
  return label ?? humanise(eventType);
}
