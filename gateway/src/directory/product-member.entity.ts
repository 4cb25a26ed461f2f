/** Membership of a user in a product: grants view of the product (SPEC §3.2 step 2). */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ProductMemberEntity = defineEntity({
  name: 'ProductMember',
  tableName: 'product_members',
  properties: {
    /** The product id. */
    scope_id: p.string().primary(),
    user_id: p.string().primary(),
    role: p.string().nullable(),
  },
});
export type ProductMemberEntity = InferEntity<typeof ProductMemberEntity>;
