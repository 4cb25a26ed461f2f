/**
 * The routing port: what ingest hands each valid, first-seen event to. Bound to `RoutingService`
 * (route → publish channel messages → record); tests of ingest bind a recording implementation.
 */
import type { HeraldEvent } from '@herald/contracts';

export const ROUTING_PORT = Symbol('ROUTING_PORT');

export interface RoutingPort {
  /**
   * Resolves once the event's channel messages are stored by JetStream and its routing is
   * recorded durably (the delivery log); throws to retry.
   */
  route(event: HeraldEvent): Promise<void>;
  /**
   * Whether `route` completed for the event (`source`, `id`): its routing record is durable. Ingest
   * asks only when it finds another claim on the event in the event ledger, so this record is what
   * tells a routed event from one whose claimant is still at work or died.
   */
  routed(source: string, id: string): Promise<boolean>;
}
