/**
 * The gateway's events durable (`herald.events.>`) as a Nest microservice handler: served by
 * `JetStreamTransport` with `HERALD_INGEST_CONCURRENCY` messages in flight, each handed to
 * `IngestService` (which group-commits concurrent events).
 */
import { EventPattern, Payload } from '@nestjs/microservices';
import type { HandlerOutcome, ReceivedMessage } from '@herald/contracts';
import { CONSUMER_PATTERNS, type ConsumerPayloads } from '../consumers/gateway-consumers.js';
import { JetStreamController } from '../messaging/jetstream-controller.decorator.js';
import { IngestService } from './ingest.service.js';

@JetStreamController()
export class IngestConsumer {
  constructor(private readonly ingest: IngestService) {}

  @EventPattern<ConsumerPayloads>(CONSUMER_PATTERNS.events)
  handle(@Payload() message: ReceivedMessage): Promise<HandlerOutcome> {
    return this.ingest.handle(message);
  }
}
