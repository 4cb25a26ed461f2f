/** A user's personal row (SPEC §3.1); deleted with the user by the foreign key's cascade. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ColumnFilters } from '../routing/index.js';

export const PersonalSettingsEntity = defineEntity({
  name: 'PersonalSettings',
  tableName: 'personal_settings',
  properties: {
    user_id: p.string().primary(),
    events: p.json<Record<string, string[]>>(),
    /** Column → filter (SPEC §3.6); only columns with a filter. */
    filters: p.json<ColumnFilters>(),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type PersonalSettingsEntity = InferEntity<typeof PersonalSettingsEntity>;
