/**
 * Merging settings rows (SPEC §3.1): a union of channel sets per column, every column included
 * (DefectDojo leaves `scan_added_empty` out). Invariant: inputs are never mutated — DefectDojo's
 * trump merge writes into the shared system row and leaks channels from one recipient to the next.
 */
import type { EventChannels } from './snapshot-input.js';

/** Channels of every list, each once, in first-seen order. Returns a new array. */
export function unionChannels(lists: ReadonlyArray<readonly string[]>): string[] {
  const merged = new Set<string>();
  for (const list of lists) for (const channel of list) merged.add(channel);
  return [...merged];
}

/** The union of whole rows, column by column. Returns a new row. */
export function mergeRows(rows: readonly EventChannels[]): EventChannels {
  const columns = new Set<string>();
  for (const row of rows) for (const column of Object.keys(row)) columns.add(column);
  const merged: Record<string, readonly string[]> = {};
  for (const column of columns) merged[column] = unionChannels(rows.map((row) => row[column] ?? []));
  return merged;
}
