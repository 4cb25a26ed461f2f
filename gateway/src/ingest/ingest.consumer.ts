/**
 * Runs the gateway's durable consumer on the events stream and feeds `IngestService`. Started after
 * the module graph is ready; stopped first at shutdown (in-flight events finish or are nak'ed).
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConsumerRunner, type Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { IngestService } from './ingest.service.js';

@Injectable()
export class IngestConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private runner: ConsumerRunner | undefined;

  constructor(
    private readonly messaging: MessagingService,
    private readonly ingest: IngestService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const topo = this.messaging.topology;
    this.runner = new ConsumerRunner({
      js: this.messaging.js,
      consumer: topo.gatewayConsumer,
      concurrency: this.config.ingestConcurrency,
      handle: (message) => this.ingest.handle(message),
      deadLetter: { stage: 'ingest', subject: () => topo.subjects.deadEvents },
      logger: this.logger.child({ consumer: 'ingest' }),
    });
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner?.stop(8_000);
  }
}
