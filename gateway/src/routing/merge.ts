/**
 * Merging settings rows (SPEC §3.1): a user's channels for a column are the union of the channel
 * sets of the rows that take part (personal, product, system). The one merge routing uses, for the
 * system pass and every user. Invariant: inputs are never mutated — DefectDojo's trump merge writes
 * into the shared system row and leaks channels from one recipient to the next.
 */

const NONE: readonly string[] = Object.freeze([]);

/**
 * Channels of every list, each once, in first-seen order. When a single list has channels and
 * repeats none, that list itself is the union and is returned as is (routing then allocates nothing
 * for the common one-row user); otherwise the result is a new array. A merged set has a handful
 * of channels, so a linear scan beats hashing.
 */
export function unionChannels(lists: ReadonlyArray<readonly string[]>): readonly string[] {
  let only: readonly string[] | undefined;
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i]!;
    if (list.length === 0) continue;
    if (only !== undefined) return union(lists);
    only = list;
  }
  if (only === undefined) return NONE;
  return repeatsNone(only) ? only : union([only]);
}

/**
 * `unionChannels([personal, product, system])` without the array of lists: routing merges these
 * three rows for every candidate of a broadcast, and the loops here are indexed, so merging one
 * user allocates nothing unless the rows must be combined (no iterator objects, which V8 does not
 * always elide and which made up a quarter of a 10 000-user `route()`'s allocations).
 */
export function unionRows(personal: readonly string[], product: readonly string[], system: readonly string[]): readonly string[] {
  const withChannels = (personal.length > 0 ? 1 : 0) + (product.length > 0 ? 1 : 0) + (system.length > 0 ? 1 : 0);
  if (withChannels > 1) return union([personal, product, system]);
  const only = personal.length > 0 ? personal : product.length > 0 ? product : system;
  if (only.length === 0) return NONE;
  return repeatsNone(only) ? only : union([only]);
}

function repeatsNone(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) if (list.indexOf(list[i]!) !== i) return false;
  return true;
}

function union(lists: ReadonlyArray<readonly string[]>): string[] {
  const merged: string[] = [];
  for (let l = 0; l < lists.length; l++) {
    const list = lists[l]!;
    for (let i = 0; i < list.length; i++) if (!merged.includes(list[i]!)) merged.push(list[i]!);
  }
  return merged;
}
