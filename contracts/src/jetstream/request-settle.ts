/**
 * No `Error` for a request that succeeded.
 *
 * `@nats-io/nats-core` 3.4.0 ends every request (every JetStream publish, KV operation and API
 * call) with `RequestOne.cancel()`, which rejects the request's promise with a fresh
 * `RequestError("cancelled")` even when a reply has just resolved it: the rejection is ignored,
 * but the `Error` and its stack trace are built every time. The third session's profile put that
 * at 8.6 % of the gateway's CPU at fan-out 10 (`test/bench/README.md`). This wraps the two methods
 * so that `cancel()` after the reply only does what still matters — stop the timer and leave the
 * mux — and builds no `Error`; a request cancelled before any reply (connection closed, drained)
 * is rejected exactly as before.
 *
 * It patches the class the client exports for this (`@nats-io/nats-core/internal`), once per
 * process, and only when the class has the expected shape; otherwise the client is left as it is.
 */
import { RequestOne } from '@nats-io/nats-core/internal';

const SETTLED = Symbol('herald.requestSettled');

interface PatchableRequest {
  [SETTLED]?: boolean;
  timer?: { cancel(): void };
  mux: { cancel(request: unknown): void };
}

let patched = false;

/** Applies the patch (idempotent); `false` when the client's `RequestOne` is not the expected shape. */
export function settleRequestsWithoutErrors(): boolean {
  if (patched) return true;
  const proto = RequestOne.prototype as unknown as {
    resolver?: unknown;
    cancel?: unknown;
  };
  if (typeof proto.resolver !== 'function' || typeof proto.cancel !== 'function') return false;
  const resolver = proto.resolver as (this: PatchableRequest, error: Error | null, msg: unknown) => void;
  const cancel = proto.cancel as (this: PatchableRequest, error?: Error) => void;
  proto.resolver = function patchedResolver(this: PatchableRequest, error: Error | null, msg: unknown): void {
    // the reply (or the error) settles the promise inside `resolver`, which then calls `cancel()`
    this[SETTLED] = true;
    resolver.call(this, error, msg);
  };
  proto.cancel = function patchedCancel(this: PatchableRequest, error?: Error): void {
    if (error === undefined && this[SETTLED] === true) {
      this.timer?.cancel();
      this.mux.cancel(this);
      return;
    }
    cancel.call(this, error);
  };
  patched = true;
  return true;
}
