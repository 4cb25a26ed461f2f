/**
 * Product and product-type membership as routing reads it. A scope's members are the directory
 * indexes of its users (`SnapshotUser.index`), ascending, in one `Int32Array`: 4 bytes per
 * membership instead of a hash-set entry. A broadcast meets its candidates in directory order,
 * so a `MemberCursor` reads the list front to back instead of probing a hash table per candidate:
 * at 10 000 candidates the probes missed the caches and made `route()` grow faster than its
 * candidates (test/bench/README.md, "Twelfth session"). Immutable once built; a cursor keeps its
 * own position, so any number of `route()` calls can read one snapshot at once.
 */
export class Members {
  static readonly NONE = new Members(new Int32Array(0));

  readonly #indexes: Int32Array;

  private constructor(indexes: Int32Array) {
    this.#indexes = indexes;
    Object.freeze(this);
  }

  /** The members with these directory indexes (any order, repeats counted once). */
  static of(indexes: Iterable<number>): Members {
    const unique = Int32Array.from(new Set(indexes));
    return unique.length === 0 ? Members.NONE : new Members(unique.sort());
  }

  /** The directory indexes, ascending (a copy). */
  toArray(): number[] {
    return Array.from(this.#indexes);
  }

  /** A reader for lookups that mostly come in ascending order (see `MemberCursor`). */
  cursor(): MemberCursor {
    return new MemberCursor(this.#indexes);
  }
}

/**
 * Membership lookups for one caller. Each lookup gallops forward from where the previous one
 * ended (1, 2, 4, … places, then a binary search), so ascending lookups cost O(1) each where the
 * members are dense and O(log gap) otherwise; a lookup below the previous one starts again from
 * the front (a binary search: O(log members)).
 */
export class MemberCursor {
  readonly #indexes: Int32Array;
  /** Every member before this position is below the index last looked up. */
  #from = 0;

  constructor(indexes: Int32Array) {
    this.#indexes = indexes;
  }

  has(index: number): boolean {
    const indexes = this.#indexes;
    const length = indexes.length;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent — speed only: starting again from the front finds the same member.
    let low = this.#from > 0 && indexes[this.#from - 1]! >= index ? 0 : this.#from;
    // Invariant from here on: every member before `low` is below `index`.
    let high = low;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — past the end a typed array reads `undefined`, which is not below `index`.
    for (let step = 1; high < length && indexes[high]! < index; step *= 2) {
      // Stryker disable next-line ArithmeticOperator: equivalent — speed only: a lower `low` keeps the invariant.
      low = high + 1;
      // Stryker disable next-line MethodExpression: equivalent — speed only: the binary search then covers the rest of the list.
      high = Math.min(length, high + step);
    }
    // The first member at or above `index` is in [low, high].
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (indexes[middle]! < index) low = middle + 1;
      else high = middle;
    }
    this.#from = low;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — past the end a typed array reads `undefined`, never a member.
    return low < length && indexes[low] === index;
  }
}
