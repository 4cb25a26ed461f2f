/** Membership of a user in a product type: grants view of the type and every product in it. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ProductTypeMemberEntity = defineEntity({
  name: 'ProductTypeMember',
  tableName: 'product_type_members',
  properties: {
    /** The product-type id. */
    scope_id: p.string().primary(),
    user_id: p.string().primary(),
    role: p.string().nullable(),
  },
});
export type ProductTypeMemberEntity = InferEntity<typeof ProductTypeMemberEntity>;
