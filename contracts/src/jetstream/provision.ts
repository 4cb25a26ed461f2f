/**
 * Idempotent provisioning: create each stream and durable consumer, or update it when its
 * definition changed. Safe to run from every replica at every start.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { ConsumerDefinition, StreamDefinition, Topology } from '../topology.js';
import { explainStorageError, hasStreamStorage, streamStorageConfig } from './stream-storage.js';

const NOT_FOUND = 404;

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === NOT_FOUND;
}

function streamConfig(def: StreamDefinition): Partial<StreamConfig> & { name: string } {
  const { num_replicas, placement } = streamStorageConfig(def.storage);
  return {
    name: def.name,
    subjects: [...def.subjects],
    retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(def.maxAgeMs),
    duplicate_window: nanos(def.duplicateWindowMs),
    max_msg_size: def.maxMsgBytes,
    num_replicas,
    ...(placement ? { placement } : {}),
  };
}

/**
 * Creates the stream, or updates subjects, limits, replicas and placement of an existing one.
 * Subjects are only ever added: every Herald process provisions the whole topology, and only the
 * gateway knows `HERALD_EXTRA_EVENT_SUBJECTS`, so a plugin starting after it must not take those
 * away (removing a subject is an operator's `nats stream edit`).
 */
export async function ensureStream(jsm: JetStreamManager, def: StreamDefinition): Promise<void> {
  const config = streamConfig(def);
  try {
    const info = await jsm.streams.info(def.name);
    const current = info.config;
    const missing = (config.subjects ?? []).filter((subject) => !current.subjects.includes(subject));
    config.subjects = [...current.subjects, ...missing];
    const same =
      missing.length === 0 &&
      current.max_age === config.max_age &&
      current.duplicate_window === config.duplicate_window &&
      current.max_msg_size === config.max_msg_size &&
      hasStreamStorage(current, def.storage);
    if (!same) {
      const { name, retention: _retention, storage: _storage, ...update } = config;
      // `placement: undefined` drops tags set before; the client merges the update over the current config.
      await jsm.streams.update(name, { ...update, placement: config.placement }).catch((e: unknown) => {
        throw explainStorageError(name, def.storage, e);
      });
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(config).catch((e: unknown) => {
      throw explainStorageError(def.name, def.storage, e);
    });
  }
}

function consumerConfig(def: ConsumerDefinition): Partial<ConsumerConfig> {
  return {
    durable_name: def.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(def.ackWaitMs),
    max_deliver: def.maxDeliver,
    max_ack_pending: def.maxAckPending,
    ...(def.filterSubject ? { filter_subject: def.filterSubject } : {}),
  };
}

/** Creates the durable pull consumer, or updates its ack wait, max deliver and pending limits. */
export async function ensureConsumer(jsm: JetStreamManager, def: ConsumerDefinition): Promise<void> {
  const config = consumerConfig(def);
  try {
    const info = await jsm.consumers.info(def.stream, def.durable);
    const c = info.config;
    if (c.ack_wait !== config.ack_wait || c.max_deliver !== config.max_deliver || c.max_ack_pending !== config.max_ack_pending) {
      await jsm.consumers.update(def.stream, def.durable, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
      });
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(def.stream, config);
  }
}

/** Provisions every stream of the topology (consumers are provisioned by whoever consumes). */
export async function ensureStreams(jsm: JetStreamManager, topo: Topology): Promise<void> {
  for (const def of Object.values(topo.streams)) await ensureStream(jsm, def);
}
