/** A user's row for one product (SPEC §3.1); only product-scoped columns are ever non-empty. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ColumnFilters } from '../routing/index.js';

export const ProductSettingsEntity = defineEntity({
  name: 'ProductSettings',
  tableName: 'product_settings',
  properties: {
    user_id: p.string().primary(),
    product_id: p.string().primary(),
    events: p.json<Record<string, string[]>>(),
    /** Column → filter (SPEC §3.6); only columns with a filter. */
    filters: p.json<ColumnFilters>(),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ProductSettingsEntity = InferEntity<typeof ProductSettingsEntity>;
