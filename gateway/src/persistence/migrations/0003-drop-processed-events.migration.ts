/**
 * Drops `gateway.processed_events`: inbound events are de-duplicated in the NATS KV event ledger
 * (`<prefix>_event_ledger`, see `ingest/event-ledger.ts`); nothing reads or writes this table.
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0003DropProcessedEvents extends Migration {
  override name = '0003-drop-processed-events';

  override up(): void {
    this.addSql('drop table if exists gateway.processed_events');
  }
}
