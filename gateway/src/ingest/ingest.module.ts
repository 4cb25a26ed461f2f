import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, NATS_CONNECTION } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { EventLedger } from './event-ledger.js';
import { IngestBacklogSampler } from './ingest-backlog.js';
import { IngestConsumer } from './ingest.consumer.js';
import { EVENT_LEDGER, IngestService } from './ingest.service.js';

/** Age after which another replica takes over an event claim, ms (see the provider below). */
export const EVENT_CLAIM_STALE_MS = 6_000;

@Module({})
export class IngestModule {
  /** `routing` binds `ROUTING_PORT`: where valid, first-seen events go. */
  static forRoot(routing: Provider): DynamicModule {
    return {
      module: IngestModule,
      controllers: [IngestConsumer],
      providers: [
        routing,
        IngestService,
        IngestBacklogSampler,
        {
          // A claim older than 6 s (the consumer's ack wait, 5 s, plus a margin) was left by a
          // replica that stopped: its redelivered event is routed by another replica within 10 s
          // of the crash (SPEC §8). A live replica keeps its message with working() every 2.5 s.
          provide: EVENT_LEDGER,
          inject: [NATS_CONNECTION, MessagingService, GATEWAY_CONFIG],
          useFactory: (nc: NatsConnection, messaging: MessagingService, config: GatewayConfig) =>
            EventLedger.open(nc, messaging.publisher, config.subjectPrefix, EVENT_CLAIM_STALE_MS, config.streamStorage),
        },
      ],
    };
  }
}
