/**
 * Group commit for routing records: events routed concurrently are recorded together, one
 * statement per batch, while the previous batch is being written. Each caller's promise resolves
 * only when its own record is committed, so an event is still acknowledged only after its
 * decisions and deliveries are durable. No timers: a lone event is written at once.
 */
import type { DeliveryLogRepository, RoutingRecord } from '../persistence/delivery-log.repository.js';
import { GroupCommit } from '../persistence/group-commit.js';

export class RoutingRecorder {
  private readonly commit: GroupCommit<RoutingRecord, undefined>;

  constructor(
    log: Pick<DeliveryLogRepository, 'recordRoutingMany'>,
    /** Records per statement. @default 256 */
    maxBatch = 256,
  ) {
    this.commit = new GroupCommit(async (records) => {
      await log.recordRoutingMany(records);
      return records.map(() => undefined);
    }, maxBatch);
  }

  async record(record: RoutingRecord): Promise<void> {
    await this.commit.submit(record);
  }
}
