/**
 * Group commit: items submitted while a write is in flight are written together by the next one
 * (one statement or transaction per batch instead of one per item). Each caller's promise settles
 * with its own item's result only after the batch holding it is durable, so "acknowledge only after
 * the outcome is durable" still holds per message. No timers: a lone item is written at once.
 */
interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private flushing = false;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
    /** Items per write. @default 256 */
    private readonly maxBatch = 256,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((p) => p.item));
        batch.forEach((p, index) => p.resolve(results[index] as R));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }
}
