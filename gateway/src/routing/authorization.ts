/**
 * Whether a recipient may see an event (SPEC §3.2 step 2). Invariant: authorization is decided on
 * the recipient alone — DefectDojo checks the actor, leaking product events to non-members.
 * Returns `undefined` when allowed, otherwise the sentence an operator reads in the decision.
 */
import type { EventScope } from './event-scope.js';
import type { Snapshot, SnapshotUser } from './snapshot.js';

export function denialReason(
  user: SnapshotUser,
  scope: EventScope,
  snapshot: Pick<Snapshot, 'productMembers' | 'productTypeMembers'>,
): string | undefined {
  if (user.superuser) return undefined;
  switch (scope.kind) {
    case 'product': {
      if (user.hasGlobalRole || snapshot.productMembers.get(scope.productId)?.has(user.id) === true) return undefined;
      if (scope.productTypeId !== undefined && snapshot.productTypeMembers.get(scope.productTypeId)?.has(user.id) === true)
        return undefined;
      return `no access to product ${scope.productId}`;
    }
    case 'product_type': {
      if (user.hasGlobalRole || snapshot.productTypeMembers.get(scope.productTypeId)?.has(user.id) === true) return undefined;
      return `no access to product type ${scope.productTypeId}`;
    }
    case 'none':
      return 'the event has no product or product type scope: only superusers receive it';
  }
}
