/** The system row and the template row (SPEC §3.1): at most one of each, keyed by scope. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const GLOBAL_SETTINGS_SCOPES = ['system', 'template'] as const;
export type GlobalSettingsScope = (typeof GLOBAL_SETTINGS_SCOPES)[number];

export const GlobalSettingsEntity = defineEntity({
  name: 'GlobalSettings',
  tableName: 'global_settings',
  properties: {
    scope: p.enum(() => GLOBAL_SETTINGS_SCOPES).primary(),
    /** Column → channels. */
    events: p.json<Record<string, string[]>>(),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type GlobalSettingsEntity = InferEntity<typeof GlobalSettingsEntity>;
