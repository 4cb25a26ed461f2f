/**
 * Dead letters (`herald.dead.>`) → the database, so operators list and replay them through the API.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { deadLetterSchema, type ConsumerRunner, type HandlerOutcome, type Logger, type ReceivedMessage } from '@herald/contracts';
import { LOGGER } from '../config/tokens.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { decodeStorableJson, startConsumer } from './start-consumer.js';

@Injectable()
export class DeadLetterConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private runner: ConsumerRunner | undefined;

  constructor(
    private readonly messaging: MessagingService,
    private readonly deliveryLog: DeliveryLogRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runner = await startConsumer(this.messaging, this.messaging.topology.deadConsumer, (m) => this.handle(m), this.logger);
  }

  async handle(message: ReceivedMessage): Promise<HandlerOutcome> {
    const parsed = deadLetterSchema.safeParse(decodeStorableJson(message.data));
    if (!parsed.success) {
      // A foreign message on a dead-letter subject: it stays in the dead stream; logged, not recorded.
      this.logger.warn('message on a dead-letter subject is not a Herald dead letter; acknowledged', {
        subject: message.subject,
        seq: message.streamSequence,
      });
      return { kind: 'ack' };
    }
    const { created } = await this.deliveryLog.recordDeadLetter(parsed.data);
    if (created) this.metrics.deadLetters.inc({ stage: parsed.data.stage });
    return { kind: 'ack' };
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner?.stop();
  }
}
