/**
 * Group commit for routing records: events routed concurrently are recorded together, one
 * transaction per batch, while the previous batch is being written. Each caller's promise resolves
 * only when its own record is committed, so an event is still acknowledged only after its
 * decisions and deliveries are durable. No timers: a lone event is written at once.
 */
import type { DeliveryLogRepository, RoutingRecord } from '../persistence/delivery-log.repository.js';

interface Pending {
  readonly record: RoutingRecord;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class RoutingRecorder {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly log: Pick<DeliveryLogRepository, 'recordRoutingMany'>,
    /** Records per transaction. @default 256 */
    private readonly maxBatch = 256,
  ) {}

  record(record: RoutingRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.log.recordRoutingMany(batch.map((p) => p.record));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }
}
