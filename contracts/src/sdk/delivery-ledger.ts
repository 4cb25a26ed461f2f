/**
 * The idempotency ledger of one channel (SPEC §8: "idempotent consumers"): a KV bucket
 * `<prefix>_deliveries_<channel>` holding, for 24 h, the final status (delivered, dropped, failed)
 * of every delivery id a replica settled.
 *
 * How the SDK uses it, per message: `get` before sending — a hit means an earlier delivery of the
 * same id already reached a final outcome, so nothing is sent again; after a final outcome,
 * `record` it and publish the status (both at once), then, once both are stored, ack. A plugin
 * declaring `idempotentSend` (alert, webhooks) has no such bucket: its own store is the record.
 *
 * The at-least-once window: a crash (or a NATS outage) after the provider accepted the send but
 * before `record` stored the outcome leaves no trace, so the redelivered message is sent once more
 * (and, if its status was already published, reported once more under the next attempt number).
 * A crash after `record` (status or ack lost) never re-sends: the redelivery finds the record,
 * re-publishes the same status (de-duplicated by JetStream) and acks. Keys are SHA-256 of the
 * delivery id, because delivery ids contain `:` and other characters KV keys cannot carry.
 */
import { createHash } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { createKvEntry, openBucket } from '../jetstream/kv-bucket.js';
import type { StreamPublisher } from '../jetstream/stream-publisher.js';
import type { StreamStorage } from '../jetstream/stream-storage.js';
import { deliveryStatusSchema, type DeliveryStatus } from '../delivery-status.js';

/** How long a settled delivery id is remembered, ms. 24 h: far beyond any redelivery. */
export const DELIVERY_LEDGER_TTL_MS = 24 * 60 * 60 * 1_000;

export class DeliveryLedger {
  private constructor(
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly publisher: StreamPublisher,
  ) {}

  /**
   * Creates the bucket if needed (TTL 24 h, one value per key). `publisher` writes the records: the
   * plugin's one `StreamPublisher`, which also publishes its status reports.
   */
  static async open(
    connection: NatsConnection,
    bucket: string,
    storage: StreamStorage,
    publisher: StreamPublisher,
    ttlMs: number = DELIVERY_LEDGER_TTL_MS,
  ): Promise<DeliveryLedger> {
    const kv = await openBucket(connection, bucket, { ttlMs, history: 1 }, storage);
    return new DeliveryLedger(kv, bucket, publisher);
  }

  private static key(deliveryId: string): string {
    return createHash('sha256').update(deliveryId, 'utf8').digest('hex');
  }

  /** The final status recorded for `deliveryId`, or `null` when it was never settled (or expired). */
  async get(deliveryId: string): Promise<DeliveryStatus | null> {
    const entry = await this.kv.get(DeliveryLedger.key(deliveryId));
    if (entry === null || entry.operation !== 'PUT') return null;
    const parsed = deliveryStatusSchema.safeParse(entry.json());
    return parsed.success ? parsed.data : null;
  }

  /**
   * Records a final status under `deliveryId` (the status's own id unless a replay has its own). First writer wins (`kv.create`): when another replica recorded the
   * same delivery meanwhile, its record stays and this call succeeds.
   */
  async record(status: DeliveryStatus, deliveryId: string = status.delivery_id): Promise<void> {
    const key = DeliveryLedger.key(deliveryId);
    const value = JSON.stringify(status);
    // the hot path, one write per settled message (see `createKvEntry`)
    if (await createKvEntry(this.publisher, this.bucket, key, value)) return;
    try {
      // the key has an entry: another replica's record, or a delete marker the client's create takes over
      await this.kv.create(key, value);
    } catch (error) {
      if ((await this.kv.get(key))?.operation === 'PUT') return;
      throw error;
    }
  }
}
