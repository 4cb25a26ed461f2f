/**
 * A broadcast's decisions are stored a chunk at a time (issue 15, item 5: stream a broadcast
 * instead of materialising every delivery and decision at once): `event_decision_parts` holds
 * each chunk's decisions as it is routed, published and recorded, and the event's
 * `event_decisions` row, written after the last chunk, says how many parts make its decisions
 * (`parts`; 0: the decisions are in the row itself, as every event's were before). Parts beyond
 * `parts` (left by an earlier attempt that routed more chunks) are never read.
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0009DecisionParts extends Migration {
  override name = '0009-decision-parts';

  override up(): void {
    this.addSql(`alter table gateway.event_decisions add column parts integer not null default 0 check (parts >= 0)`);
    this.addSql(`create table gateway.event_decision_parts (
      source text not null,
      event_id text not null,
      part integer not null check (part >= 0),
      decisions jsonb not null check (jsonb_typeof(decisions) = 'array'),
      primary key (source, event_id, part)
    )`);
  }
}
