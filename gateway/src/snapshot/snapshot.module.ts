/**
 * The routing snapshot cache and its cross-replica invalidation.
 */
import { Global, Inject, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER, NATS_CONNECTION } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { loadSnapshotInput } from '../persistence/snapshot-loader.js';
import { buildSnapshot, type Snapshot } from '../routing/index.js';
import { ChangeNotifier } from './change-notifier.js';
import { InvalidationBus } from './invalidation-bus.js';
import { ReplicaRegistry } from './replica-registry.js';
import { SnapshotCache } from './snapshot-cache.js';
import { INVALIDATION_BUS, REPLICA_REGISTRY, SNAPSHOT_CACHE } from './snapshot.tokens.js';

@Global()
@Module({
  providers: [
    {
      provide: REPLICA_REGISTRY,
      inject: [NATS_CONNECTION, GATEWAY_CONFIG],
      useFactory: (nc: NatsConnection, config: GatewayConfig) => ReplicaRegistry.open(nc, config.subjectPrefix, config.streamStorage),
    },
    {
      provide: INVALIDATION_BUS,
      inject: [NATS_CONNECTION, MessagingService, REPLICA_REGISTRY, LOGGER],
      useFactory: (nc: NatsConnection, messaging: MessagingService, registry: ReplicaRegistry, logger: Logger) =>
        new InvalidationBus(nc, messaging.topology.subjects.internal('invalidate'), registry, logger),
    },
    {
      provide: SNAPSHOT_CACHE,
      inject: [EntityManager, GATEWAY_CONFIG, LOGGER],
      useFactory: (em: EntityManager, config: GatewayConfig, logger: Logger) =>
        new SnapshotCache<Snapshot>(
          { load: async () => buildSnapshot(await loadSnapshotInput(em.fork(), { systemLevelTrump: config.systemLevelTrump })) },
          logger,
        ),
    },
    ChangeNotifier,
  ],
  exports: [REPLICA_REGISTRY, INVALIDATION_BUS, SNAPSHOT_CACHE, ChangeNotifier],
})
export class SnapshotModule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(REPLICA_REGISTRY) private readonly registry: ReplicaRegistry,
    @Inject(INVALIDATION_BUS) private readonly bus: InvalidationBus,
    @Inject(SNAPSHOT_CACHE) private readonly cache: SnapshotCache<Snapshot>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.bus.listen(() => this.cache.invalidate());
    await this.registry.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.bus.stop();
    await this.registry.stop();
  }
}
