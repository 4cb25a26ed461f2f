/**
 * Opening a KV bucket with Herald's stream storage: created with the configured replicas and
 * placement, and an existing bucket's stream updated when they changed (the client's
 * `Kvm.create` opens an existing bucket as it is). Safe to run from every replica at every start.
 */
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { StreamPublisher } from './stream-publisher.js';
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

/**
 * `kv.create` on the hot path (a ledger's one write per message): a put on the key's subject
 * (`$KV.<bucket>.<key>`, the KV wire protocol, for a bucket `openBucket` made) that the stream
 * stores only while the key has no entry, sent through a `StreamPublisher`, which costs less per
 * message than the client's request. `true` when stored; `false` when the key already has an entry
 * — a value, or a delete marker (`kv.create` would take a marker over: callers read the entry and
 * decide). Any other failure (no stream, a timeout) is thrown.
 */
export async function createKvEntry(publisher: StreamPublisher, bucket: string, key: string, value: string): Promise<boolean> {
  const h = natsHeaders();
  h.set('Nats-Expected-Last-Subject-Sequence', '0');
  try {
    await publisher.publish(`$KV.${bucket}.${key}`, value, { headers: h });
    return true;
  } catch (error) {
    if (
      error instanceof JetStreamApiError &&
      (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
    )
      return false;
    throw error;
  }
}
