/**
 * Routing decisions are kept per event identity, (`source`, `id`), like everything else in Herald:
 * the same `id` from two sources is two events (README "Delivery ids"). Rows recorded before this
 * migration have no known source and keep the empty string.
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0004DecisionsPerSource extends Migration {
  override name = '0004-decisions-per-source';

  override up(): void {
    this.addSql(`alter table gateway.event_decisions add column source text not null default ''`);
    this.addSql('alter table gateway.event_decisions drop constraint event_decisions_pkey');
    this.addSql('alter table gateway.event_decisions add primary key (source, event_id)');
  }
}
