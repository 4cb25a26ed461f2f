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
  for (const list of lists) {
    if (list.length === 0) continue;
    if (only !== undefined) return union(lists);
    only = list;
  }
  if (only === undefined) return NONE;
  return repeatsNone(only) ? only : union([only]);
}

function repeatsNone(list: readonly string[]): boolean {
  let index = 0;
  for (const channel of list) if (list.indexOf(channel) !== index++) return false;
  return true;
}

function union(lists: ReadonlyArray<readonly string[]>): string[] {
  const merged: string[] = [];
  for (const list of lists) for (const channel of list) if (!merged.includes(channel)) merged.push(channel);
  return merged;
}
