/**
 * De-duplication of inbound events on (`source`, `id`) across gateway replicas, in the NATS KV
 * bucket `<prefix>_event_ledger` (entries expire after 24 h). A claim is taken before routing and
 * marked done after; a claim left by a crashed replica is taken over once it is older than the
 * consumer's ack wait, so a crash never strands an event.
 */
import { createHash } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { openBucket, type StreamStorage } from '@herald/contracts';

export type ClaimResult =
  { readonly kind: 'claimed' } | { readonly kind: 'duplicate' } | { readonly kind: 'busy'; readonly retryInMs: number };

const DAY_MS = 24 * 60 * 60 * 1000;

export class EventLedger {
  private constructor(
    private readonly kv: KV,
    private readonly staleAfterMs: number,
  ) {}

  /** Opens (or creates) the ledger bucket for a subject prefix. */
  static async open(nc: NatsConnection, prefix: string, staleAfterMs: number, storage: StreamStorage): Promise<EventLedger> {
    const kv = await openBucket(nc, `${prefix.replace(/[.-]/g, '_')}_event_ledger`, { history: 1, ttlMs: DAY_MS }, storage);
    return new EventLedger(kv, staleAfterMs);
  }

  private key(source: string, id: string): string {
    return createHash('sha256').update(source).update('\u0000').update(id).digest('base64url');
  }

  async claim(source: string, id: string, now: number = Date.now()): Promise<ClaimResult> {
    const key = this.key(source, id);
    try {
      await this.kv.create(key, `processing:${now}`);
      return { kind: 'claimed' };
    } catch {
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== 'PUT') {
        await this.kv.put(key, `processing:${now}`);
        return { kind: 'claimed' };
      }
      const value = entry.string();
      if (value.startsWith('done')) return { kind: 'duplicate' };
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
  }

  async complete(source: string, id: string, now: number = Date.now()): Promise<void> {
    await this.kv.put(this.key(source, id), `done:${now}`);
  }

  /** Gives a claim back after a failed attempt, so the redelivery can take it at once. */
  async release(source: string, id: string): Promise<void> {
    await this.kv.delete(this.key(source, id));
  }
}
