/** A product; the authorization scope of most events. Deleted with its product type. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ProductEntity = defineEntity({
  name: 'Product',
  tableName: 'products',
  properties: {
    id: p.string().primary(),
    name: p.string(),
    /** Plain id, not a relation: the snapshot wants ids and the FK lives in the migration. */
    product_type_id: p.string().index('products_product_type_id_idx'),
    created_at: p.datetime().onCreate(() => new Date()),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ProductEntity = InferEntity<typeof ProductEntity>;
