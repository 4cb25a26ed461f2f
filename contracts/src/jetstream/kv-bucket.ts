/**
 * Opening a KV bucket with Herald's stream storage: created with the configured replicas and
 * placement, and an existing bucket's stream updated when they changed (the client's
 * `Kvm.create` opens an existing bucket as it is). Safe to run from every replica at every start.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { explainStorageError, hasStreamStorage, streamStorageConfig, type StreamStorage } from './stream-storage.js';

export interface BucketLimits {
  /** Values kept per key. */
  readonly history: number;
  /** Age after which entries expire, ms; omitted = never. */
  readonly ttlMs?: number;
}

/** Creates or opens `bucket`; applies `storage` to it when it already existed with other replicas or tags. */
export async function openBucket(nc: NatsConnection, bucket: string, limits: BucketLimits, storage: StreamStorage): Promise<KV> {
  const { num_replicas, placement } = streamStorageConfig(storage);
  const stream = `KV_${bucket}`;
  try {
    const kv = await new Kvm(nc).create(bucket, {
      history: limits.history,
      ...(limits.ttlMs === undefined ? {} : { ttl: limits.ttlMs }),
      replicas: num_replicas,
      ...(placement ? { placement } : {}),
    });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    if (!hasStreamStorage(info.config, storage)) await jsm.streams.update(stream, { num_replicas, placement });
    return kv;
  } catch (error) {
    throw explainStorageError(stream, storage, error);
  }
}
