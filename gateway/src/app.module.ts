/**
 * The gateway's module graph, built from an already-parsed config and an open NATS connection
 * (opened by `main.ts` or a test), so nothing in here reads the environment.
 */
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@herald/contracts';
import type { GatewayConfig } from './config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from './config/tokens.js';
import { HealthController } from './health/health.controller.js';
import { IngestModule } from './ingest/ingest.module.js';
import { ROUTING_PORT, type RoutingPort } from './ingest/routing-port.js';
import { UnroutedEventsPort } from './ingest/unrouted-events.port.js';
import { MessagingService } from './messaging/messaging.service.js';

export interface GatewayModuleOptions {
  readonly config: GatewayConfig;
  readonly connection: NatsConnection;
  readonly logger: Logger;
  /** Replaces the routing port (tests record what reaches it). */
  readonly routingPort?: Type<RoutingPort> | RoutingPort;
}

@Module({})
export class CoreModule {}

@Module({})
export class AppModule {
  static forRoot(options: GatewayModuleOptions): DynamicModule {
    const routing: Provider =
      options.routingPort === undefined
        ? { provide: ROUTING_PORT, useClass: UnroutedEventsPort }
        : typeof options.routingPort === 'function'
          ? { provide: ROUTING_PORT, useClass: options.routingPort }
          : { provide: ROUTING_PORT, useValue: options.routingPort };
    const core: DynamicModule = {
      module: CoreModule,
      global: true,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: options.config },
        { provide: NATS_CONNECTION, useValue: options.connection },
        { provide: LOGGER, useValue: options.logger },
        MessagingService,
        routing,
      ],
      exports: [GATEWAY_CONFIG, NATS_CONNECTION, LOGGER, MessagingService, ROUTING_PORT],
    };
    return { module: AppModule, imports: [core, IngestModule], controllers: [HealthController] };
  }
}
