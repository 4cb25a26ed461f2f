/** Samples the backlog of the gateway's events durable for `/metrics` every 5 s. */
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MessagingService } from '../messaging/messaging.service.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';

const BACKLOG_SAMPLE_MS = 5_000;

/** `herald_consumer_pending{consumer="gateway"}`: messages not yet delivered plus delivered but not acknowledged. */
@Injectable()
export class IngestBacklogSampler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly messaging: MessagingService,
    private readonly metrics: GatewayMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const definition = this.messaging.topology.gatewayConsumer;
    const consumer = await this.messaging.js.consumers.get(definition.stream, definition.durable);
    const sample = async (): Promise<void> => {
      const info = await consumer.info().catch(() => null);
      if (info) this.metrics.consumerPending.set({ consumer: definition.durable }, info.num_pending + info.num_ack_pending);
    };
    await sample();
    this.timer = setInterval(() => void sample(), BACKLOG_SAMPLE_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
