/**
 * Group commit for routing records: events routed concurrently are recorded together, one
 * statement per batch, while the previous batch is being written. Each caller's promise resolves
 * only when its own record is committed, so an event is still acknowledged only after its
 * decisions and deliveries are durable. A record that finds the recorder idle waits
 * `ROUTING_RECORD_LINGER_MS` for others to share its statement: the record is written after the
 * event's channel messages are published, so only the event's acknowledgement waits, never a
 * delivery. At 500 events/s the routing records were written almost one per statement (0.82
 * statements per event; 0.67 with the linger) and the linger saved ≈ 5 % of the machine's CPU per
 * event (test/bench/README.md, "Seventeenth session").
 */
import type { DeliveryLogRepository, RoutingRecord } from '../persistence/delivery-log.repository.js';
import { GroupCommit } from '../persistence/group-commit.js';

/** How long a record that finds the recorder idle waits for company, ms (`GroupCommit`'s `lingerMs`). */
export const ROUTING_RECORD_LINGER_MS = 2;

export class RoutingRecorder {
  private readonly commit: GroupCommit<RoutingRecord, undefined>;

  constructor(
    log: Pick<DeliveryLogRepository, 'recordRoutingMany'>,
    /** Records per statement. @default 256 */
    maxBatch = 256,
    /** How long a statement started by an idle recorder waits for more records, ms. @default ROUTING_RECORD_LINGER_MS */
    lingerMs = ROUTING_RECORD_LINGER_MS,
  ) {
    this.commit = new GroupCommit(
      async (records) => {
        await log.recordRoutingMany(records);
        return records.map(() => undefined);
      },
      { maxBatch, lingerMs },
    );
  }

  async record(record: RoutingRecord): Promise<void> {
    await this.commit.submit(record);
  }
}
