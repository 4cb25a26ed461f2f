/**
 * PostgreSQL (or embedded PGlite) for the gateway: opened and migrated at start, closed last.
 * Provides the repositories and services of the directory, settings, channel configuration,
 * tokens and the delivery log.
 */
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ChannelConfigRepository } from '../channel-config/channel-config.repository.js';
import { ChannelConfigService } from '../channel-config/channel-config.service.js';
import { ChannelRegistry } from '../channel-config/channel-registry.js';
import { SecretBox, type Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { DATABASE_POOL, GATEWAY_CONFIG, LOGGER } from '../config/tokens.js';
import type pg from 'pg';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { DirectoryService } from '../directory/directory.service.js';
import { closeDatabase, openDatabase } from '../persistence/database.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { HeldDeliveriesRepository } from '../publishing/held-deliveries.repository.js';
import { ChannelNames } from '../settings/channel-names.js';
import { EventTypeRepository } from '../settings/event-type.repository.js';
import { EventTypesService } from '../settings/event-types.service.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { SettingsService } from '../settings/settings.service.js';
import { ApiTokenRepository } from '../tokens/api-token.repository.js';
import { TokensService } from '../tokens/tokens.service.js';
import { UnsubscribeTokens } from '../unsubscribe/unsubscribe-token.js';

const services = [
  ChannelConfigRepository,
  ChannelConfigService,
  ChannelRegistry,
  DirectoryRepository,
  DirectoryService,
  DeliveryLogRepository,
  HeldDeliveriesRepository,
  ChannelNames,
  EventTypeRepository,
  EventTypesService,
  SettingsRepository,
  SettingsService,
  ApiTokenRepository,
  TokensService,
];

@Global()
@Module({
  providers: [
    {
      provide: MikroORM,
      inject: [GATEWAY_CONFIG, LOGGER, { token: DATABASE_POOL, optional: true }],
      useFactory: (config: GatewayConfig, logger: Logger, pool?: pg.Pool) =>
        openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger, ...(pool ? { pool } : {}) }),
    },
    { provide: EntityManager, inject: [MikroORM], useFactory: (orm: MikroORM) => orm.em },
    { provide: SecretBox, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => SecretBox.fromBase64(config.secretKey) },
    {
      provide: UnsubscribeTokens,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => UnsubscribeTokens.fromSecretKey(config.secretKey),
    },
    ...services,
  ],
  exports: [MikroORM, EntityManager, SecretBox, UnsubscribeTokens, ...services],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  async onApplicationShutdown(): Promise<void> {
    await closeDatabase(this.orm);
  }
}
