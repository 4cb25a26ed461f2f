/**
 * Maintenance that belongs to plugins' own data (alert retention, webhook status sweep): the
 * scheduler's leader asks over core NATS (`<prefix>.internal.<topic>`, request-reply; not a
 * JetStream-captured subject, whose PubAck would answer the request) and one replica of the owning
 * plugin (queue group) runs it — the gateway never touches a plugin's schema. No plugin running is
 * not an error: the job is skipped and logged.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger, Subjects } from '@herald/contracts';

export interface MaintenanceCommand {
  /** `alert-retention`, `webhooks-sweep`. */
  readonly topic: string;
  readonly body: Record<string, unknown>;
}

export class MaintenanceJob {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly command: MaintenanceCommand,
    private readonly logger: Logger,
  ) {}

  /** The plugin's reply, or `null` when no replica of the plugin answered. */
  async run(): Promise<unknown> {
    const subject = this.subjects.internal(this.command.topic);
    try {
      const reply = await this.nc.request(subject, JSON.stringify(this.command.body), { timeout: 30_000 });
      const result: unknown = reply.json();
      this.logger.info('maintenance done', { subject, result });
      return result;
    } catch (error) {
      this.logger.warn('maintenance skipped: no plugin answered', { subject, error });
      return null;
    }
  }
}
