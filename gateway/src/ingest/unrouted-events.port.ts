/**
 * A routing port that routes nothing: bound until routing is wired in, so valid events are
 * accepted, de-duplicated and acknowledged without pretending to deliver anything. Logs each one.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { HeraldEvent, Logger } from '@herald/contracts';
import { LOGGER } from '../config/tokens.js';
import type { RoutingPort } from './routing-port.js';

@Injectable()
export class UnroutedEventsPort implements RoutingPort {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  route(event: HeraldEvent): Promise<void> {
    this.logger.info('event accepted; routing is not wired in, nothing delivered', { event_id: event.id, type: event.type });
    return Promise.resolve();
  }
}
