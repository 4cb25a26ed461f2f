/**
 * Stream and consumer definitions (SPEC §1). Names derive from the subject prefix:
 * prefix `herald` → streams `HERALD_EVENTS`, `HERALD_DELIVER`, …; a test prefix `t_ab12` →
 * `T_AB12_EVENTS`, so parallel test files never share a stream.
 *
 * Only JetStream features of nats-server 2.9 are used: no per-message TTL, no multi-filter
 * consumers, no consumer backoff (retry delays are computed by the application and sent with nak).
 */
import { SINGLE_REPLICA, type StreamStorage } from './jetstream/stream-storage.js';
import { subjects, type Subjects } from './subjects.js';

/** Upper bound for one inbound event, bytes (SPEC §2.1). @default 1 MiB */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

export type RetentionKind = 'limits' | 'workqueue';

export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly retention: RetentionKind;
  /** Oldest message kept, ms; 0 = no limit. */
  readonly maxAgeMs: number;
  /** JetStream de-duplication window on `Nats-Msg-Id`, ms. */
  readonly duplicateWindowMs: number;
  /** Largest message accepted by the server, bytes. */
  readonly maxMsgBytes: number;
  /** Replicas and placement on a NATS cluster. */
  readonly storage: StreamStorage;
}

/**
 * Ack wait of the consumers whose in-flight messages another replica must take over within 10 s
 * of a crash (SPEC §8): the gateway's events consumer and every plugin's deliver consumer. A
 * replica that dies mid-message stops acknowledging and the server redelivers 5 s after the last
 * sign of life; a live handler keeps its message however long it runs, because the runner sends
 * an in-progress ack (`working()`) every half ack wait (2.5 s). Half the budget, so a message
 * redelivered after a crash still has time to be handled (and the gateway's stale event claim,
 * 6 s, to expire) inside the 10 s.
 */
export const TAKE_OVER_ACK_WAIT_MS = 5_000;

export interface ConsumerDefinition {
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject: string;
  /** Time the server waits for an ack before redelivering, ms. */
  readonly ackWaitMs: number;
  /** Deliveries (including naks and crash redeliveries) before the runner dead-letters. */
  readonly maxDeliver: number;
  /** Unacknowledged messages the server hands out at once to all replicas together. */
  readonly maxAckPending: number;
}

export interface Topology {
  readonly subjects: Subjects;
  /** Replicas and placement of every stream and KV bucket of this prefix. */
  readonly storage: StreamStorage;
  readonly streams: {
    readonly events: StreamDefinition;
    readonly directory: StreamDefinition;
    readonly deliver: StreamDefinition;
    readonly status: StreamDefinition;
    readonly dead: StreamDefinition;
    /** Commands Herald sends to owning services (`herald.commands.>`), kept until consumed or 7 days. */
    readonly commands: StreamDefinition;
  };
  /** The gateway's durable on the events stream, shared by every gateway replica. */
  readonly gatewayConsumer: ConsumerDefinition;
  /** The gateway's durable on the directory stream. */
  readonly directoryConsumer: ConsumerDefinition;
  /** The gateway's durable on the status stream. */
  readonly statusConsumer: ConsumerDefinition;
  /** The gateway's durable on the dead-letter stream (records dead letters for the API). */
  readonly deadConsumer: ConsumerDefinition;
  /** One durable per channel on the WorkQueue deliver stream, shared by the plugin's replicas. */
  channelConsumer(channel: string): ConsumerDefinition;
}

export interface TopologyOptions {
  /** Subject prefix. @default "herald" */
  readonly prefix?: string;
  /** Extra subjects captured by the events stream (SPEC §2.1: "any extra subjects … configurable"). */
  readonly extraEventSubjects?: readonly string[];
  /** @default DEFAULT_MAX_EVENT_BYTES */
  readonly maxEventBytes?: number;
  /** Replicas and placement of every stream and KV bucket (`HERALD_STREAM_REPLICAS`, …). @default SINGLE_REPLICA */
  readonly storage?: StreamStorage;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Headroom over the event size limit so oversized events reach the gateway and are dead-lettered. */
const OVERSIZE_HEADROOM = 2;

/** Builds every stream and consumer definition for one prefix. */
export function topology(options: TopologyOptions = {}): Topology {
  const s = subjects(options.prefix);
  const base = s.prefix.replace(/[.-]/g, '_').toUpperCase();
  const maxEventBytes = options.maxEventBytes ?? 1024 * 1024;
  const messageBytes = maxEventBytes * OVERSIZE_HEADROOM + 64 * 1024;
  const storage = options.storage ?? SINGLE_REPLICA;
  const stream = (suffix: string, subs: string[], retention: RetentionKind, maxAgeMs: number): StreamDefinition => ({
    name: `${base}_${suffix}`,
    subjects: subs,
    retention,
    maxAgeMs,
    duplicateWindowMs: 2 * MINUTE,
    maxMsgBytes: messageBytes,
    storage,
  });
  const streams = {
    events: stream('EVENTS', [s.allEvents, ...(options.extraEventSubjects ?? [])], 'limits', 7 * DAY),
    directory: stream('DIRECTORY', [s.allDirectory], 'limits', 7 * DAY),
    deliver: stream('DELIVER', [s.allDeliver], 'workqueue', 7 * DAY),
    status: stream('STATUS', [s.allStatus], 'limits', 7 * DAY),
    dead: stream('DEAD', [s.allDead], 'limits', 30 * DAY),
    commands: stream('COMMANDS', [`${s.prefix}.commands.>`], 'limits', 7 * DAY),
  };
  return {
    subjects: s,
    storage,
    streams,
    gatewayConsumer: {
      stream: streams.events.name,
      durable: 'gateway',
      filterSubject: '',
      ackWaitMs: TAKE_OVER_ACK_WAIT_MS,
      maxDeliver: 10,
      maxAckPending: 1_000,
    },
    directoryConsumer: {
      stream: streams.directory.name,
      durable: 'gateway-directory',
      filterSubject: '',
      ackWaitMs: 30_000,
      maxDeliver: 10,
      maxAckPending: 1_000,
    },
    statusConsumer: {
      stream: streams.status.name,
      durable: 'gateway-status',
      filterSubject: '',
      ackWaitMs: 30_000,
      maxDeliver: 10,
      maxAckPending: 1_000,
    },
    deadConsumer: {
      stream: streams.dead.name,
      durable: 'gateway-dead',
      filterSubject: '',
      ackWaitMs: 30_000,
      maxDeliver: 10,
      maxAckPending: 1_000,
    },
    channelConsumer: (channel) => ({
      stream: streams.deliver.name,
      durable: channel,
      filterSubject: s.deliver(channel),
      ackWaitMs: TAKE_OVER_ACK_WAIT_MS,
      maxDeliver: 8,
      maxAckPending: 1_000,
    }),
  };
}
