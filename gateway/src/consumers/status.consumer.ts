/**
 * Delivery statuses from plugins (`herald.status.<channel>`, one status or a batch of them per
 * message, see `decodeStatusReport`) → the delivery log and metrics, so
 * `GET /deliveries` shows what happened to each delivery; a system-scope failure alerts the
 * superusers (once per channel, destination and hour). A Nest microservice handler served by
 * `JetStreamTransport` on the `gateway-status` durable.
 */
import { Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  decodeStatusReport,
  formatIssues,
  toValidationIssues,
  type DeliveryStatus,
  type HandlerOutcome,
  type Logger,
  type ReceivedMessage,
} from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER } from '../config/tokens.js';
import { ChannelPublisher } from '../publishing/channel-publisher.js';
import type { Snapshot } from '../routing/index.js';
import type { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { SNAPSHOT_CACHE } from '../snapshot/snapshot.tokens.js';
import { FailureAlerts } from './failure-alerts.js';
import { JetStreamController } from '../messaging/jetstream-controller.decorator.js';
import { MessagingService } from '../messaging/messaging.service.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { GroupCommit } from '../persistence/group-commit.js';
import { CONSUMER_PATTERNS, type ConsumerPayloads } from './gateway-consumers.js';
import { decodeStorableJson } from './decode-payload.js';

@JetStreamController()
export class StatusConsumer {
  private readonly failures: FailureAlerts;
  /** Reports handled concurrently are written in one statement (group commit). */
  private readonly statuses: GroupCommit<DeliveryStatus, 'applied' | 'ignored'>;

  constructor(
    messaging: MessagingService,
    private readonly deliveryLog: DeliveryLogRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(SNAPSHOT_CACHE) cache: SnapshotCache<Snapshot>,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    const publisher = new ChannelPublisher(messaging.publisher, messaging.topology.subjects);
    this.statuses = new GroupCommit((batch) => this.deliveryLog.applyStatusMany(batch));
    this.failures = new FailureAlerts(
      messaging.connection,
      config.subjectPrefix,
      config.streamStorage,
      cache,
      publisher,
      config.siteUrl,
      logger,
    );
  }

  @EventPattern<ConsumerPayloads>(CONSUMER_PATTERNS.status)
  async handle(@Payload() message: ReceivedMessage): Promise<HandlerOutcome> {
    const raw = decodeStorableJson(message.data);
    const report = decodeStatusReport(raw);
    if (!report.ok) {
      const issues = toValidationIssues(report.error, raw);
      return { kind: 'dead', reason: `invalid delivery status: ${formatIssues(issues)}`, issues };
    }
    // a batch's statuses are queued together, in order: one write can hold them all, and a
    // delivery's later status is applied after its earlier one
    await this.statuses.submitAll(report.statuses);
    for (const status of report.statuses) {
      await this.failures.onStatus(status);
      this.metrics.deliveryOutcomes.inc({ channel: status.channel, outcome: status.outcome });
    }
    return { kind: 'ack' };
  }
}
