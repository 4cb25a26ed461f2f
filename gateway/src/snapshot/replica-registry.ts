/**
 * Which gateway replicas are alive: each one keeps a key in the KV bucket `<prefix>_gateways`
 * (entries expire after 15 s; renewed every 5 s). Used to know how many replicas must confirm a
 * cache invalidation, and by the scheduler's leader election.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { openBucket, type StreamStorage } from '@herald/contracts';

const TTL_MS = 15_000;
const HEARTBEAT_MS = 5_000;

export class ReplicaRegistry {
  readonly replicaId = randomUUID();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly bucket: string,
  ) {}

  static async open(nc: NatsConnection, prefix: string, storage: StreamStorage): Promise<ReplicaRegistry> {
    const bucket = `${prefix.replace(/[.-]/g, '_')}_gateways`;
    const kv = await openBucket(nc, bucket, { history: 1, ttlMs: TTL_MS }, storage);
    return new ReplicaRegistry(kv, await jetstreamManager(nc), bucket);
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    await this.kv.put(this.replicaId, JSON.stringify({ at: Date.now(), pid: process.pid }));
  }

  /**
   * Replica ids with a live heartbeat (this one included). The keys come from the bucket stream's
   * subject list (one request), not from `kv.keys()`: that iterator creates a consumer and ends
   * when the server reports nothing pending or sends an idle heartbeat, and on nats-server 2.9 it
   * can wait for ever when the bucket's messages are replaced or expire meanwhile
   * (nats-io/nats-server#3481), and here every heartbeat replaces one. Every settings change
   * waits on this list (`InvalidationBus.broadcast`).
   */
  async live(): Promise<string[]> {
    const ids: string[] = [];
    const now = Date.now();
    const prefix = `$KV.${this.bucket}.`;
    const info = await this.jsm.streams.info(`KV_${this.bucket}`, { subjects_filter: `${prefix}>` });
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const key = subject.slice(prefix.length);
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const { at } = entry.json<{ at: number }>();
      if (now - at < TTL_MS) ids.push(key);
    }
    return [...new Set(ids)];
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.kv.delete(this.replicaId).catch(() => undefined);
  }
}
