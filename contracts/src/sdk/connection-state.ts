/**
 * Whether a NATS connection is up right now, for readiness probes. The client reconnects by
 * itself (SPEC §8); this only follows its status events: down on `disconnect`, up on `reconnect`,
 * down for good once closed.
 */
import type { NatsConnection, Status } from '@nats-io/transport-node';

export interface ConnectionState {
  connected(): boolean;
  /** Stops following the status events. */
  stop(): void;
}

export function followConnection(connection: NatsConnection): ConnectionState {
  let up = !connection.isClosed();
  // The client's iterator is a QueuedIterator with `stop()`; the public type only says AsyncIterable.
  const events = connection.status() as AsyncIterable<Status> & { stop?: () => void };
  void (async () => {
    for await (const status of events) {
      if (status.type === 'disconnect') up = false;
      else if (status.type === 'reconnect') up = true;
    }
  })().catch(() => undefined);
  return {
    connected: () => up && !connection.isClosed(),
    stop: () => events.stop?.(),
  };
}
