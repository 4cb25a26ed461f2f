/**
 * Dead letters (`herald.dead.>`) → the database, so operators list and replay them through the API.
 * A Nest microservice handler served by `JetStreamTransport` on the `gateway-dead` durable.
 */
import { Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { deadLetterSchema, type HandlerOutcome, type Logger, type ReceivedMessage } from '@herald/contracts';
import { LOGGER } from '../config/tokens.js';
import { JetStreamController } from '../messaging/jetstream-controller.decorator.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { CONSUMER_PATTERNS, type ConsumerPayloads } from './gateway-consumers.js';
import { decodeStorableJson } from './decode-payload.js';

@JetStreamController()
export class DeadLetterConsumer {
  constructor(
    private readonly deliveryLog: DeliveryLogRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern<ConsumerPayloads>(CONSUMER_PATTERNS.dead)
  async handle(@Payload() message: ReceivedMessage): Promise<HandlerOutcome> {
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
}
