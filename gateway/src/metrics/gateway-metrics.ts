/**
 * The gateway's Prometheus metrics (served at `/metrics`). One registry per gateway instance, so
 * several gateways in one process (tests, all-in-one) never collide.
 */
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly eventsReceived = new Counter({
    name: 'herald_events_received_total',
    help: 'Events taken from the events stream',
    registers: [this.registry],
  });
  readonly eventsInvalid = new Counter({
    name: 'herald_events_invalid_total',
    help: 'Events that failed validation (dead-lettered)',
    registers: [this.registry],
  });
  readonly eventsDuplicate = new Counter({
    name: 'herald_events_duplicate_total',
    help: 'Events ignored as duplicates of an earlier id',
    registers: [this.registry],
  });
  readonly eventsRouted = new Counter({
    name: 'herald_events_routed_total',
    help: 'Events routed and published',
    registers: [this.registry],
  });
  readonly deliveriesPublished = new Counter({
    name: 'herald_deliveries_published_total',
    help: 'Channel messages published',
    labelNames: ['channel'],
    registers: [this.registry],
  });
  readonly deliveryOutcomes = new Counter({
    name: 'herald_delivery_outcomes_total',
    help: 'Delivery statuses reported by plugins',
    labelNames: ['channel', 'outcome'],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'herald_dead_letters_total',
    help: 'Dead letters recorded',
    labelNames: ['stage'],
    registers: [this.registry],
  });
  readonly consumerPending = new Gauge({
    name: 'herald_consumer_pending',
    help: 'Messages waiting for a gateway consumer',
    labelNames: ['consumer'],
    registers: [this.registry],
  });
  readonly routingSeconds = new Histogram({
    name: 'herald_routing_seconds',
    help: 'Time spent in the pure routing function per event',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_gateway_' });
  }
}
