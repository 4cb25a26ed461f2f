/**
 * Delivery statuses from plugins (`herald.status.<channel>`) → the delivery log and metrics, so
 * `GET /deliveries` shows what happened to each delivery.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  deliveryStatusSchema,
  formatIssues,
  toValidationIssues,
  type ConsumerRunner,
  type HandlerOutcome,
  type Logger,
  type ReceivedMessage,
} from '@herald/contracts';
import { LOGGER } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { decodeJson, startConsumer } from './start-consumer.js';

@Injectable()
export class StatusConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private runner: ConsumerRunner | undefined;

  constructor(
    private readonly messaging: MessagingService,
    private readonly deliveryLog: DeliveryLogRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runner = await startConsumer(this.messaging, this.messaging.topology.statusConsumer, (m) => this.handle(m), this.logger);
  }

  async handle(message: ReceivedMessage): Promise<HandlerOutcome> {
    const raw = decodeJson(message.data);
    const parsed = deliveryStatusSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = toValidationIssues(parsed.error, raw);
      return { kind: 'dead', reason: `invalid delivery status: ${formatIssues(issues)}`, issues };
    }
    await this.deliveryLog.applyStatus(parsed.data);
    this.metrics.deliveryOutcomes.inc({ channel: parsed.data.channel, outcome: parsed.data.outcome });
    return { kind: 'ack' };
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner?.stop();
  }
}
