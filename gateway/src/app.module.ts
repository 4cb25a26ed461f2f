/**
 * The gateway's module graph, built from an already-parsed config and an open NATS connection
 * (opened by `startGateway` or a test), so nothing in here reads the environment.
 */
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@herald/contracts';
import { AuthGuard } from './api/auth.guard.js';
import { ChannelsController } from './api/channels.controller.js';
import { MeController } from './api/me.controller.js';
import { DirectoryController } from './api/directory.controller.js';
import { EventsController } from './api/events.controller.js';
import { MetricsController } from './api/metrics.controller.js';
import { SettingsController } from './api/settings.controller.js';
import { TokensController } from './api/tokens.controller.js';
import { SchedulesController } from './api/schedules.controller.js';
import { SimulateController } from './api/simulate.controller.js';
import { SimulationService } from './simulation/simulation.service.js';
import { UnsubscribeController } from './api/unsubscribe.controller.js';
import { UnsubscribeService } from './unsubscribe/unsubscribe.service.js';
import { ScheduledEventsRepository } from './scheduler/scheduled-events.repository.js';
import { SchedulerService } from './scheduler/scheduler.service.js';
import { systemClock, type Clock } from './scheduler/clock.js';
import { TokenAuthenticator } from './api/token-authenticator.js';
import { ChannelConfigDistributor } from './channel-config/channel-config-distributor.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { CLOCK, DATABASE_POOL, EXTRA_READINESS, GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from './config/tokens.js';
import type pg from 'pg';
import { DeadLetterConsumer } from './consumers/dead-letter.consumer.js';
import { DirectoryConsumer } from './consumers/directory.consumer.js';
import { gatewayConsumerBindings } from './consumers/gateway-consumers.js';
import { StatusConsumer } from './consumers/status.consumer.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthController } from './health/health.controller.js';
import { GatewayWarmUp } from './health/warm-up.js';
import { IngestModule } from './ingest/ingest.module.js';
import { ROUTING_PORT, type RoutingPort } from './ingest/routing-port.js';
import { JetStreamTransport } from './messaging/jetstream.transport.js';
import { MessagingService } from './messaging/messaging.service.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { RoutingService } from './publishing/routing.service.js';
import { SnapshotModule } from './snapshot/snapshot.module.js';

export interface GatewayModuleOptions {
  readonly config: GatewayConfig;
  readonly connection: NatsConnection;
  readonly logger: Logger;
  /** Replaces the routing port (tests of ingest record what reaches it). @default RoutingService */
  readonly routingPort?: Type<RoutingPort> | RoutingPort;
  /** Time for the scheduler. @default the system clock */
  readonly clock?: Clock;
  /** Run on this pool instead of DATABASE_URL / a private PGlite (all-in-one mode). */
  readonly databasePool?: pg.Pool;
  /** A further `/health/ready` condition (see `StartGatewayOptions.ready`). @default none */
  readonly ready?: () => boolean;
}

@Module({})
export class CoreModule {}

@Module({})
export class AppModule {
  static forRoot(options: GatewayModuleOptions): DynamicModule {
    const routing: Provider =
      options.routingPort === undefined
        ? { provide: ROUTING_PORT, useClass: RoutingService }
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
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: EXTRA_READINESS, useValue: options.ready ?? (() => true) },
        ...(options.databasePool ? [{ provide: DATABASE_POOL, useValue: options.databasePool }] : []),
        MessagingService,
        GatewayMetrics,
        ScheduledEventsRepository,
      ],
      exports: [
        ...(options.databasePool ? [DATABASE_POOL] : []),
        GATEWAY_CONFIG,
        NATS_CONNECTION,
        LOGGER,
        CLOCK,
        EXTRA_READINESS,
        MessagingService,
        GatewayMetrics,
        ScheduledEventsRepository,
      ],
    };
    return {
      module: AppModule,
      imports: [core, DatabaseModule, SnapshotModule, IngestModule.forRoot(routing)],
      controllers: [
        HealthController,
        MetricsController,
        SettingsController,
        DirectoryController,
        ChannelsController,
        EventsController,
        TokensController,
        SchedulesController,
        // NATS JetStream handlers (@EventPattern), served by JetStreamTransport
        StatusConsumer,
        DeadLetterConsumer,
        DirectoryConsumer,
        SimulateController,
        MeController,
        UnsubscribeController,
      ],
      providers: [
        UnsubscribeService,
        AuthGuard,
        TokenAuthenticator,
        SchedulerService,
        ChannelConfigDistributor,
        GatewayWarmUp,
        {
          // The microservice strategy `startGateway` connects to the app. A provider, so Nest's
          // shutdown hooks close it (onModuleDestroy: drain in-flight handlers) first, before NATS
          // is drained and the database closed.
          provide: JetStreamTransport,
          inject: [MessagingService, GATEWAY_CONFIG, LOGGER],
          useFactory: (messaging: MessagingService, config: GatewayConfig, logger: Logger) =>
            new JetStreamTransport({ js: messaging.js, bindings: gatewayConsumerBindings(messaging.topology, config), logger }),
        },
        SimulationService,
      ],
    };
  }
}
