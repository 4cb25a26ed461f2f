/**
 * The routing port: what ingest hands each valid, first-seen event to. The routing issue provides
 * the real implementation (route → publish channel messages). Until an implementation routes, the
 * bound one is `UnroutedEventsPort`, which routes nothing and says so.
 */
import type { HeraldEvent } from '@herald/contracts';

export const ROUTING_PORT = Symbol('ROUTING_PORT');

export interface RoutingPort {
  /** Resolves once the event's channel messages are stored by JetStream; throws to retry. */
  route(event: HeraldEvent): Promise<void>;
}
