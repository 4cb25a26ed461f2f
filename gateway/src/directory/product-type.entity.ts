/** A product type (DefectDojo's grouping of products); membership of it grants view of its products. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ProductTypeEntity = defineEntity({
  name: 'ProductType',
  tableName: 'product_types',
  properties: {
    id: p.string().primary(),
    name: p.string(),
    created_at: p.datetime().onCreate(() => new Date()),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ProductTypeEntity = InferEntity<typeof ProductTypeEntity>;
