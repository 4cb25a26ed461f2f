/**
 * The routing port: what ingest hands each valid, first-seen event to. Bound to `RoutingService`
 * (route → publish channel messages → record); tests of ingest bind a recording implementation.
 */
import type { HeraldEvent } from '@herald/contracts';

export const ROUTING_PORT = Symbol('ROUTING_PORT');

export interface RoutingPort {
  /** Resolves once the event's channel messages are stored by JetStream; throws to retry. */
  route(event: HeraldEvent): Promise<void>;
}
