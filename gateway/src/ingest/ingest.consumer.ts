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
import { GatewayMetrics } from '../metrics/gateway-metrics.js';

@Injectable()
export class IngestConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private runner: ConsumerRunner | undefined;
  private pendingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly messaging: MessagingService,
    private readonly ingest: IngestService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
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
    const consumer = await this.messaging.js.consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable);
    const sample = async (): Promise<void> => {
      const info = await consumer.info().catch(() => null);
      if (info) this.metrics.consumerPending.set({ consumer: topo.gatewayConsumer.durable }, info.num_pending + info.num_ack_pending);
    };
    await sample();
    this.pendingTimer = setInterval(() => void sample(), 5_000);
    this.pendingTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pendingTimer) clearInterval(this.pendingTimer);
    await this.runner?.stop(8_000);
  }
}
