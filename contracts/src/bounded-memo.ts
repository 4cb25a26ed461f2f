/**
 * A memo of a pure function's results, bounded in size: once `maxEntries` are held it is emptied
 * and starts again. Meant for values that cost CPU to make and never go stale for their key (a
 * signing key object per secret, an opened secret per sealed text, a token per claims), where a
 * least-recently-used order would cost more than the occasional recomputation it saves.
 */
export class BoundedMemo<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer (got ${maxEntries})`);
  }

  /** The value remembered for `key`, else `make(key)`, remembered. */
  get(key: K, make: (key: K) => V): V {
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    const value = make(key);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
