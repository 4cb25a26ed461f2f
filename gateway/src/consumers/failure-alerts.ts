/**
 * Failure alerts (SPEC §5): when a channel gives up on a system-scope message, every active
 * superuser gets an alert (source "<Channel> Notification"), as DefectDojo does — but at most once
 * per (channel, destination, hour), not once per message. The once-per-hour claim is a
 * `kv.create` in the bucket `<prefix>_failure_alerts` (entries expire after 2 h).
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  deliveryId,
  destinationKey,
  humanise,
  openBucket,
  type DeliveryStatus,
  type HeraldEvent,
  type Logger,
  type StreamStorage,
} from '@herald/contracts';
import type { ChannelPublisher } from '../publishing/channel-publisher.js';
import type { Snapshot } from '../routing/index.js';
import type { SnapshotCache } from '../snapshot/snapshot-cache.js';

const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

export class FailureAlerts {
  private kv: Promise<KV> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly storage: StreamStorage,
    private readonly cache: SnapshotCache<Snapshot>,
    private readonly publisher: ChannelPublisher,
    private readonly siteUrl: string,
    private readonly logger: Logger,
  ) {}

  private bucket(): Promise<KV> {
    this.kv ??= openBucket(
      this.nc,
      `${this.prefix.replace(/[.-]/g, '_')}_failure_alerts`,
      { history: 1, ttlMs: TWO_HOURS_MS },
      this.storage,
    );
    return this.kv;
  }

  /** Alerts the superusers about a failed system-scope delivery; returns how many alerts were published. */
  async onStatus(status: DeliveryStatus, now: Date = new Date()): Promise<number> {
    if (status.outcome !== 'failed' || status.destination.scope !== 'system' || status.channel === 'alert') return 0;
    const hour = now.toISOString().slice(0, 13).replace(/[-T:]/g, '');
    const key = `${status.channel}.${destinationKey(status.destination)}.${hour}`;
    try {
      await (await this.bucket()).create(key, status.delivery_id);
    } catch {
      return 0;
    }
    const label = `${humanise(status.channel === 'msteams' ? 'microsoft_teams' : status.channel)} Notification`;
    const event: HeraldEvent = {
      specversion: '1.0',
      id: `failure:${status.channel}:${hour}`,
      source: 'herald',
      type: 'other',
      time: now.toISOString(),
      data: {
        title: `${label} failed`,
        description: `Herald gave up delivering ${status.delivery_id} (event ${status.event_id}) by ${status.channel}: ${status.detail}`,
      },
    };
    const snapshot = await this.cache.get();
    const deliveries = snapshot.activeSuperusers.map((user) => ({
      delivery_id: deliveryId(event, 'alert', user.destination),
      channel: 'alert',
      destination: user.destination,
      site_url: this.siteUrl,
    }));
    await this.publisher.publish(event, label, deliveries);
    this.logger.warn('channel failure alerted to superusers', {
      channel: status.channel,
      delivery_id: status.delivery_id,
      superusers: deliveries.length,
    });
    return deliveries.length;
  }
}
