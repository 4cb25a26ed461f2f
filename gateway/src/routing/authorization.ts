/**
 * Whether a recipient may see an event (SPEC §3.2 step 2). Invariant: authorization is decided on
 * the recipient alone — DefectDojo checks the actor, leaking product events to non-members.
 * Returns `undefined` when allowed, otherwise the sentence an operator reads in the decision.
 */
import type { EventScope } from './event-scope.js';
import type { MemberCursor } from './membership.js';
import type { Snapshot, SnapshotUser } from './snapshot.js';

/** The members of an event's scope, read by one `route()` call (cursors: see `MemberCursor`). */
export interface ScopeMembers {
  /** Product scope: the product's members. */
  readonly product: MemberCursor | undefined;
  /** The scope's product type's members, when it has a product type. */
  readonly productType: MemberCursor | undefined;
}

export function scopeMembers(scope: EventScope, snapshot: Pick<Snapshot, 'productMembers' | 'productTypeMembers'>): ScopeMembers {
  return {
    product: scope.kind === 'product' ? snapshot.productMembers.get(scope.productId)?.cursor() : undefined,
    productType:
      scope.kind === 'none' || scope.productTypeId === undefined
        ? undefined
        : snapshot.productTypeMembers.get(scope.productTypeId)?.cursor(),
  };
}

export function denialReason(user: SnapshotUser, scope: EventScope, members: ScopeMembers): string | undefined {
  if (user.superuser) return undefined;
  switch (scope.kind) {
    case 'product': {
      if (user.hasGlobalRole || members.product?.has(user.index) === true) return undefined;
      if (members.productType?.has(user.index) === true) return undefined;
      return `no access to product ${scope.productId}`;
    }
    case 'product_type': {
      if (user.hasGlobalRole || members.productType?.has(user.index) === true) return undefined;
      return `no access to product type ${scope.productTypeId}`;
    }
    case 'none':
      return 'the event has no product or product type scope: only superusers receive it';
  }
}
