/**
 * Group commit: items submitted while a write is in flight are written together by the next one
 * (one statement or transaction per batch instead of one per item). Each caller's promise settles
 * with its own item's result only after the batch holding it is durable, so "acknowledge only after
 * the outcome is durable" still holds per message. No timers: a lone item is written at once.
 *
 * A batch that fails because of its data (`isItemError`, e.g. a row PostgreSQL can never store) is
 * written again one item at a time, so one bad item fails only its own caller, not the up to
 * `maxBatch` unrelated items batched with it. Other failures (connection lost) fail the batch.
 *
 * `lingerMs` (0 by default) lets a write that would start with an idle commit wait that long for
 * company first: where the items' callers do not wait on the write for anything a user sees (the
 * routing record, written after the event's channel messages are published), a few milliseconds
 * of a later acknowledgement buy fewer statements and commits per item at moderate rates, where
 * batches otherwise hold one or two items. Batches that queued up behind a write never wait.
 */
import { classifyFailure } from '../ingest/failure-class.js';

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Items per write. @default 256 */
  readonly maxBatch?: number;
  /** True when a failure lies in the items (worth isolating them). @default permanent failures */
  readonly isItemError?: (error: unknown) => boolean;
  /** How long a write started by an idle commit waits for more items, ms. @default 0 (at once) */
  readonly lingerMs?: number;
}

export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private flushing = false;
  private readonly maxBatch: number;
  private readonly isItemError: (error: unknown) => boolean;
  private readonly lingerMs: number;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.isItemError = options.isItemError ?? ((error) => classifyFailure(error) === 'permanent');
    this.lingerMs = options.lingerMs ?? 0;
  }

  submit(item: T): Promise<R> {
    const result = this.enqueue(item);
    this.start();
    return result;
  }

  /** `submit` for several items at once, queued in order before a write starts (so one write can hold them all). */
  submitAll(items: readonly T[]): Promise<R[]> {
    const results = items.map((item) => this.enqueue(item));
    this.start();
    return Promise.all(results);
  }

  private enqueue(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => this.queue.push({ item, resolve, reject }));
  }

  private start(): void {
    if (!this.flushing && this.queue.length > 0) void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    if (this.lingerMs > 0 && this.queue.length < this.maxBatch) await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((p) => p.item));
        batch.forEach((p, index) => p.resolve(results[index] as R));
      } catch (error) {
        if (batch.length > 1 && this.isItemError(error)) await this.writeEach(batch);
        else for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  private async writeEach(batch: readonly Pending<T, R>[]): Promise<void> {
    for (const p of batch) {
      try {
        const [result] = await this.write([p.item]);
        p.resolve(result as R);
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
