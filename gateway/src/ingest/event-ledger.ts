/**
 * De-duplication of inbound events on (`source`, `id`) across gateway replicas, in the NATS KV
 * bucket `<prefix>_event_ledger` (entries expire after 24 h). One write per event: a claim is taken
 * before routing. Whether a claimed event was routed is not written to the ledger a second time:
 * routing records every event it routes in the delivery log (the same statement as its decisions
 * and deliveries), and `claim` asks that record (`routed`) when it finds a claim already there, which
 * only a copy of the event, a redelivery or a crashed claimant's event does. So a copy of a routed
 * event is recognised for as long as its claim is kept (24 h), a claim whose event is still being
 * routed is waited for, and one left by a crashed replica is taken over once it is older than the
 * consumer's ack wait, so a crash never strands an event. Claims written by earlier versions as
 * `done:<time>` still count as routed.
 */
import { createHash } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { createKvEntry, openBucket, type StreamPublisher, type StreamStorage } from '@herald/contracts';

export type ClaimResult =
  { readonly kind: 'claimed' } | { readonly kind: 'duplicate' } | { readonly kind: 'busy'; readonly retryInMs: number };

const DAY_MS = 24 * 60 * 60 * 1000;

export class EventLedger {
  private constructor(
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly publisher: StreamPublisher,
    private readonly staleAfterMs: number,
  ) {}

  /**
   * Opens (or creates) the ledger bucket for a subject prefix. `publisher` writes the claims: the
   * gateway's one `StreamPublisher` (`MessagingService.publisher`).
   */
  static async open(
    nc: NatsConnection,
    publisher: StreamPublisher,
    prefix: string,
    staleAfterMs: number,
    storage: StreamStorage,
  ): Promise<EventLedger> {
    const bucket = `${prefix.replace(/[.-]/g, '_')}_event_ledger`;
    const kv = await openBucket(nc, bucket, { history: 1, ttlMs: DAY_MS }, storage);
    return new EventLedger(kv, bucket, publisher, staleAfterMs);
  }

  private key(source: string, id: string): string {
    return createHash('sha256').update(source).update('\u0000').update(id).digest('base64url');
  }

  /** `routed` answers whether the event's routing is recorded; called only when a claim exists. */
  async claim(source: string, id: string, routed: () => Promise<boolean>, now: number = Date.now()): Promise<ClaimResult> {
    const key = this.key(source, id);
    // the hot path, one write per event (see `createKvEntry`); an existing entry is read below
    if (await createKvEntry(this.publisher, this.bucket, key, `processing:${now}`)) return { kind: 'claimed' };
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') {
      await this.kv.put(key, `processing:${now}`);
      return { kind: 'claimed' };
    }
    const value = entry.string();
    if (value.startsWith('done') || (await routed())) return { kind: 'duplicate' };
    const since = Number(value.split(':')[1] ?? 0);
    const age = now - since;
    if (age < this.staleAfterMs) return { kind: 'busy', retryInMs: Math.max(500, this.staleAfterMs - age) };
    try {
      await this.kv.update(key, `processing:${now}`, entry.revision);
      return { kind: 'claimed' };
    } catch {
      return { kind: 'busy', retryInMs: 1_000 };
    }
  }

  /** Gives a claim back after a failed attempt, so the redelivery can take it at once. */
  async release(source: string, id: string): Promise<void> {
    await this.kv.delete(this.key(source, id));
  }
}
