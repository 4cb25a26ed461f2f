/**
 * The product or product-type scope of an event (SPEC §2.1), derived like DefectDojo: the most
 * specific object wins — finding → test → engagement → product, then product type. Invariant: the
 * product's type comes from the directory when the directory knows the product, so a stale or wrong
 * `product_type` in a publisher's event cannot widen who may see the product.
 */
import type { EventData, ProductScope } from '@herald/contracts';
import type { Snapshot } from './snapshot.js';

export type EventScope =
  | { readonly kind: 'product'; readonly productId: string; readonly productTypeId: string | undefined }
  | { readonly kind: 'product_type'; readonly productTypeId: string }
  | { readonly kind: 'none' };

export function eventScope(data: EventData, snapshot: Pick<Snapshot, 'products'>): EventScope {
  const product = productOf(data);
  if (product !== undefined) {
    const productTypeId =
      snapshot.products.get(product.id)?.product_type_id ?? product.product_type?.id ?? product.product_type_id ?? data.product_type?.id;
    return { kind: 'product', productId: product.id, productTypeId };
  }
  if (data.product_type !== undefined) return { kind: 'product_type', productTypeId: data.product_type.id };
  return { kind: 'none' };
}

function productOf(data: EventData): ProductScope | undefined {
  return data.finding?.test?.engagement?.product ?? data.test?.engagement?.product ?? data.engagement?.product ?? data.product;
}
