/**
 * Exactly one active scheduler among gateway replicas: a lease in the KV bucket
 * `<prefix>_scheduler`, key `leader`, value `{ holder, expires_at }`. Taken with `create` (fails
 * when held) or, once expired, with `update` at the read revision (fails when someone renewed or
 * took it first); renewed at a third of its time. A holder that dies stops renewing, and another
 * replica takes over within the lease time. nats-server 2.9 has no per-key TTL, hence the
 * explicit expiry in the value.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { openBucket, type StreamStorage } from '@herald/contracts';
import type { Clock } from './clock.js';

interface LeaseValue {
  readonly holder: string;
  readonly expires_at: number;
}

export class LeaderLease {
  private revision: number | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly holder: string,
    private readonly leaseMs: number,
    private readonly clock: Clock,
  ) {}

  static async open(
    nc: NatsConnection,
    prefix: string,
    storage: StreamStorage,
    holder: string,
    leaseMs: number,
    clock: Clock,
  ): Promise<LeaderLease> {
    const kv = await openBucket(nc, `${prefix.replace(/[.-]/g, '_')}_scheduler`, { history: 1 }, storage);
    return new LeaderLease(kv, holder, leaseMs, clock);
  }

  private value(): string {
    return JSON.stringify({ holder: this.holder, expires_at: this.clock.now().getTime() + this.leaseMs } satisfies LeaseValue);
  }

  /** Takes or renews the lease; true while this replica holds it. */
  async acquire(): Promise<boolean> {
    try {
      if (this.revision !== undefined) {
        this.revision = await this.kv.update('leader', this.value(), this.revision);
        return true;
      }
    } catch {
      this.revision = undefined;
    }
    try {
      this.revision = await this.kv.create('leader', this.value());
      return true;
    } catch {
      const entry = await this.kv.get('leader');
      if (!entry || entry.operation !== 'PUT') return false;
      const current = entry.json<LeaseValue>();
      if (current.holder !== this.holder && current.expires_at > this.clock.now().getTime()) return false;
      try {
        this.revision = await this.kv.update('leader', this.value(), entry.revision);
        return true;
      } catch {
        return false;
      }
    }
  }

  /** Gives the lease up (on shutdown), so another replica takes over at once. */
  async release(): Promise<void> {
    if (this.revision === undefined) return;
    await this.kv.delete('leader', { previousSeq: this.revision }).catch(() => undefined);
    this.revision = undefined;
  }
}
