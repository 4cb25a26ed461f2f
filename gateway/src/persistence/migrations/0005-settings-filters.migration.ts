/**
 * Settings filters (SPEC §3.6): every settings row gets a `filters` column, column name →
 * `{ min_severity?, product_types?, tags_any? }`, holding only the columns that have a filter.
 * Existing rows get `{}` (no filter: every event passes, as before).
 */
import { Migration } from '@mikro-orm/migrations';

export class Migration0005SettingsFilters extends Migration {
  override name = '0005-settings-filters';

  override up(): void {
    for (const table of ['global_settings', 'personal_settings', 'product_settings']) {
      this.addSql(`alter table gateway.${table} add column filters jsonb not null default '{}'::jsonb`);
      this.addSql(`alter table gateway.${table} add constraint ${table}_filters_object check (jsonb_typeof(filters) = 'object')`);
    }
  }
}
