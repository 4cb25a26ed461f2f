/** The system row and the template row (SPEC §3.1): at most one of each, keyed by scope. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ColumnFilters } from '../routing/index.js';

export const GLOBAL_SETTINGS_SCOPES = ['system', 'template'] as const;
export type GlobalSettingsScope = (typeof GLOBAL_SETTINGS_SCOPES)[number];

export const GlobalSettingsEntity = defineEntity({
  name: 'GlobalSettings',
  tableName: 'global_settings',
  properties: {
    scope: p.enum(() => GLOBAL_SETTINGS_SCOPES).primary(),
    /** Column → channels. */
    events: p.json<Record<string, string[]>>(),
    /** Column → filter (SPEC §3.6); only columns with a filter. */
    filters: p.json<ColumnFilters>(),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type GlobalSettingsEntity = InferEntity<typeof GlobalSettingsEntity>;
