/**
 * The gateway's JetStream durables as Nest microservice patterns, and how `JetStreamTransport`
 * serves each one. A handler's `@EventPattern` is its durable's name; durable names do not depend
 * on the subject prefix (stream names do), so they are read from the default topology.
 */
import { topology, type ReceivedMessage, type Topology } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { JetStreamBinding } from '../messaging/jetstream.transport.js';

const durables = topology();

/** `@EventPattern` of each gateway consumer: the name of its durable. */
export const CONSUMER_PATTERNS = {
  /** Events (`herald.events.>`) → ingest. */
  events: durables.gatewayConsumer.durable,
  /** Directory changes, applied one at a time in stream order. */
  directory: durables.directoryConsumer.durable,
  /** Delivery statuses from plugins. */
  status: durables.statusConsumer.durable,
  /** Dead letters, recorded for the API. */
  dead: durables.deadConsumer.durable,
} as const;

/** What each pattern's handler receives: `@EventPattern<ConsumerPayloads>(CONSUMER_PATTERNS.events)`. */
export type ConsumerPayloads = Readonly<Record<string, ReceivedMessage>>;

/** Directory changes apply in stream order: one at a time. */
const DIRECTORY_CONCURRENCY = 1;
/** Status reports in flight at once: independent rows, so more in flight means larger group commits. */
const STATUS_CONCURRENCY = 64;
const DEAD_LETTER_CONCURRENCY = 8;

/** What the transport serves: the four gateway durables of `topo`. */
export function gatewayConsumerBindings(topo: Topology, config: GatewayConfig): JetStreamBinding[] {
  const deadLetter = (durable: string): JetStreamBinding['deadLetter'] => ({
    stage: 'ingest',
    subject: () => topo.subjects.dead('ingest', durable),
  });
  return [
    {
      consumer: topo.gatewayConsumer,
      concurrency: config.ingestConcurrency,
      deadLetter: { stage: 'ingest', subject: () => topo.subjects.deadEvents },
    },
    { consumer: topo.directoryConsumer, concurrency: DIRECTORY_CONCURRENCY, deadLetter: deadLetter(topo.directoryConsumer.durable) },
    { consumer: topo.statusConsumer, concurrency: STATUS_CONCURRENCY, deadLetter: deadLetter(topo.statusConsumer.durable) },
    { consumer: topo.deadConsumer, concurrency: DEAD_LETTER_CONCURRENCY, deadLetter: deadLetter(topo.deadConsumer.durable) },
  ];
}
