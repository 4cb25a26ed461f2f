/**
 * How JetStream keeps Herald's streams and KV buckets on a NATS cluster: the number of replicas
 * and the server tags their peers must carry. One setting for every stream and bucket Herald
 * provisions (`HERALD_STREAM_REPLICAS`, `HERALD_STREAM_PLACEMENT_TAGS`); provisioning applies a
 * changed replica count to existing streams and buckets at the next start.
 */
import { JetStreamApiError, type Placement } from '@nats-io/jetstream';
import { z } from 'zod';
import { HeraldError } from '../errors.js';

export interface StreamStorage {
  /** Copies of each stream and bucket kept by the cluster (1 on a single server; 3 or 5 on a cluster). @default 1 */
  readonly replicas: number;
  /** Server tags (`server_tags` in nats-server's config) every peer must carry; empty = any server. @default [] */
  readonly placementTags: readonly string[];
}

/** One replica, no placement: what a single nats-server supports. */
export const SINGLE_REPLICA: StreamStorage = { replicas: 1, placementTags: [] };

/** Most replicas JetStream allows for one stream. */
export const MAX_STREAM_REPLICAS = 5;

/** The environment variables of the stream storage, shared by the gateway's and every plugin's env schema. */
export const streamStorageEnvShape = {
  HERALD_STREAM_REPLICAS: z.coerce
    .number({ error: 'must be a number of replicas: 1 on a single nats-server, 3 or 5 on a cluster' })
    .int({ error: 'must be an integer: 1 on a single nats-server, 3 or 5 on a cluster' })
    .min(1, { error: 'must be at least 1' })
    .max(MAX_STREAM_REPLICAS, { error: `must be at most ${MAX_STREAM_REPLICAS} (the JetStream limit)` })
    .default(1),
  HERALD_STREAM_PLACEMENT_TAGS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((tag) => tag.trim())
        .filter((tag) => tag.length > 0),
    )
    .pipe(z.array(z.string().regex(/^[^\s,]+$/, { error: 'each tag must be one word without spaces, e.g. "az:eu-1,ssd"' })))
    .default([]),
};

/** The parsed variables of `streamStorageEnvShape` as a `StreamStorage`. */
export function streamStorageFromEnv(e: { HERALD_STREAM_REPLICAS: number; HERALD_STREAM_PLACEMENT_TAGS: string[] }): StreamStorage {
  return { replicas: e.HERALD_STREAM_REPLICAS, placementTags: e.HERALD_STREAM_PLACEMENT_TAGS };
}

/** The `num_replicas` and `placement` fields of a stream configuration. */
export function streamStorageConfig(storage: StreamStorage): { num_replicas: number; placement: Placement | undefined } {
  return {
    num_replicas: storage.replicas,
    // No cluster name: the tags alone pick the peers (checked on a 3-node cluster, test/stream-replicas.test.ts).
    placement: storage.placementTags.length > 0 ? { cluster: '', tags: [...storage.placementTags] } : undefined,
  };
}

/** True when a stream's current `num_replicas` and placement tags already match `storage`. */
export function hasStreamStorage(current: { num_replicas?: number; placement?: { tags?: string[] } }, storage: StreamStorage): boolean {
  const tags = [...(current.placement?.tags ?? [])].sort();
  return (current.num_replicas ?? 1) === storage.replicas && JSON.stringify(tags) === JSON.stringify([...storage.placementTags].sort());
}

/** JetStream error codes of a replica count or placement the servers cannot satisfy (checked on nats-server 2.9). */
const NOT_CLUSTERED = 10074;
const NO_SUITABLE_PEERS = 10005;

/**
 * Explains an error of creating or updating `stream` with `storage` when the servers cannot hold
 * that many replicas or have no peers with the tags; any other error is returned as it is.
 */
export function explainStorageError(stream: string, storage: StreamStorage, error: unknown): unknown {
  if (!(error instanceof JetStreamApiError)) return error;
  const asked = `HERALD_STREAM_REPLICAS=${storage.replicas}${storage.placementTags.length > 0 ? ` and HERALD_STREAM_PLACEMENT_TAGS=${storage.placementTags.join(',')}` : ''}`;
  if (error.code === NOT_CLUSTERED) {
    return new HeraldError(
      'invalid_configuration',
      `Cannot keep stream ${stream} with ${asked}: the NATS server is not part of a cluster (${error.message}). ` +
        'Set HERALD_STREAM_REPLICAS=1, or run a NATS cluster with at least that many JetStream servers.',
    );
  }
  if (error.code === NO_SUITABLE_PEERS) {
    return new HeraldError(
      'invalid_configuration',
      `Cannot keep stream ${stream} with ${asked}: the NATS cluster has too few JetStream servers${storage.placementTags.length > 0 ? ' carrying those server_tags' : ''} (${error.message}). ` +
        'Lower HERALD_STREAM_REPLICAS, fix the tags, or add servers.',
    );
  }
  return error;
}
