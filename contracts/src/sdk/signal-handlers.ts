/**
 * Graceful shutdown of a plugin process (SPEC §8): on SIGTERM or SIGINT, stop fetching, finish or
 * nak in-flight messages, run the caller's cleanup (drain NATS, close pools) and exit within the
 * deadline. A second signal, or the deadline passing, exits at once with code 1: whatever was in
 * flight is redelivered, so nothing is lost either way.
 */
import type { Logger } from '../logger.js';

export interface SignalHandlerOptions {
  /** Everything must be done by then, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Cleanup after the plugin stopped, e.g. `() => connection.drain()`. @default none */
  readonly onStopped?: () => Promise<void>;
  /** @default ["SIGTERM", "SIGINT"] */
  readonly signals?: readonly NodeJS.Signals[];
  /** @default process.exit */
  readonly exit?: (code: number) => void;
}

/** Installs the handlers; returns a function that removes them. */
export function installSignalHandlers(
  running: { stop(timeoutMs?: number): Promise<void> },
  logger: Logger,
  options: SignalHandlerOptions = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      exit(1);
      return;
    }
    stopping = true;
    logger.info('stopping', { signal, timeout_ms: timeoutMs });
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed: exiting; in-flight messages will be redelivered', { timeout_ms: timeoutMs });
      exit(1);
    }, timeoutMs);
    deadline.unref();
    // Leave a fifth of the budget (at most 2 s) for the caller's cleanup.
    const stopBudget = timeoutMs - Math.min(2_000, Math.round(timeoutMs / 5));
    running
      .stop(stopBudget)
      .then(() => options.onStopped?.())
      .then(
        () => {
          clearTimeout(deadline);
          logger.info('stopped');
          exit(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          logger.error('shutdown failed', { error });
          exit(1);
        },
      );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
