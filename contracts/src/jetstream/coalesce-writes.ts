/**
 * One socket write per turn of the event loop instead of one per callback.
 *
 * The NATS client queues every command (publish, ack, request, pull) in an outbound buffer and
 * writes it to the socket in a microtask, i.e. after each callback that issued a command. Under
 * load a process handles many callbacks per turn (NATS messages, PostgreSQL results, HTTP
 * responses), each ending in its own `write(2)` to NATS: in the bench's profiles those writes were
 * the largest CPU share of the gateway (≈ 34 %) and of the webhooks plugin. Deferring the write to
 * `setImmediate` (the check phase, right after the poll phase that ran those callbacks) sends
 * everything one turn produced in one write. Nothing is reordered and nothing waits for a timer:
 * a lone command goes out in the same turn, after the I/O callbacks of that turn. The client's
 * own bound stays: once the buffer holds `pendingLimit` bytes (32 KB by default) it is written at
 * once, as the client does, so a turn that publishes a lot does not grow the buffer without limit.
 *
 * This reaches into the client: `ProtocolHandler.flushPending`, `outbound` and `pendingLimit`
 * (`@nats-io/nats-core` 3.x; `flushPending` is the method every write goes through). When the
 * connection does not have that shape (another client version), nothing is changed and the client
 * writes as it always did.
 */
import type { NatsConnection } from '@nats-io/transport-node';

interface FlushingProtocol {
  flushPending: () => void;
  readonly outbound: { size(): number };
  readonly pendingLimit: number;
}

function protocolOf(connection: NatsConnection): FlushingProtocol | null {
  const protocol = (connection as unknown as { protocol?: unknown }).protocol;
  if (typeof protocol !== 'object' || protocol === null) return null;
  const shape = protocol as { flushPending?: unknown; outbound?: { size?: unknown }; pendingLimit?: unknown };
  return typeof shape.flushPending === 'function' && typeof shape.outbound?.size === 'function' && typeof shape.pendingLimit === 'number'
    ? (protocol as FlushingProtocol)
    : null;
}

/** Defers the connection's socket writes to the end of the event-loop turn; `false` when the client's shape is unknown. */
export function coalesceWrites(connection: NatsConnection): boolean {
  const protocol = protocolOf(connection);
  if (protocol === null) return false;
  const flushNow = protocol.flushPending.bind(protocol);
  let scheduled = false;
  protocol.flushPending = () => {
    // the client's bound on its buffer: a full buffer is written now (a later immediate finds it empty)
    if (protocol.outbound.size() >= protocol.pendingLimit) {
      flushNow();
      return;
    }
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flushNow();
    });
  };
  return true;
}
