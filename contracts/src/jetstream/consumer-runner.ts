/**
 * The pull-consumer runner shared by the gateway and every plugin. Handlers return an outcome;
 * the runner maps it to ack / nak(delay) / term and owns dead-lettering, so no handler touches a
 * raw JetStream message:
 *
 * - `ack`: done.
 * - `retry`: nak with the delay; on the last allowed delivery, dead-letter and term instead.
 * - `dead`: dead-letter now (with the reason and issues), then ack.
 * - a thrown error: treated as `retry` with exponential backoff (unknown errors are transient).
 *
 * Messages pulled but still on the wire when a replica stops are redelivered by the server after
 * the consumer's ack wait; long handlers keep their message with `working()` every half ack wait.
 *
 * A dead letter is published (and stored by JetStream) before the original is acknowledged; if
 * that publish fails the original is nak'ed, so nothing is lost. `term()` is called without a
 * reason: nats-server 2.9 ignores `term(reason)` and redelivers.
 */
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { ValidationIssue } from '../errors.js';
import type { DeadLetter } from '../dead-letter.js';
import type { Logger } from '../logger.js';
import type { DeadLetterStage } from '../subjects.js';
import type { ConsumerDefinition } from '../topology.js';
import { retryDelay, type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { MESSAGE_HEADERS } from '../channel-message.js';

export type HandlerOutcome =
  | { readonly kind: 'ack' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'dead'; readonly reason: string; readonly issues?: readonly ValidationIssue[]; readonly eventId?: string };

/** The view of a message a handler gets. */
export interface ReceivedMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** First value of each header. */
  readonly headers: Readonly<Record<string, string>>;
  /** 1 on first delivery; counts naks and crash redeliveries. */
  readonly deliveryCount: number;
  /** Deliveries allowed before the runner gives up. */
  readonly maxDeliver: number;
  readonly stream: string;
  readonly streamSequence: number;
  /** Tells the server the handler is still working (resets the ack timer). */
  working(): void;
}

export interface ConsumerRunnerOptions {
  readonly js: JetStreamClient;
  readonly consumer: ConsumerDefinition;
  /** Messages processed at once by this replica. @default 16 */
  readonly concurrency?: number;
  readonly handle: (message: ReceivedMessage) => Promise<HandlerOutcome>;
  readonly deadLetter: { readonly stage: DeadLetterStage; readonly subject: (message: ReceivedMessage) => string };
  readonly logger: Logger;
  /** Delays for thrown errors. @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffPolicy;
  /** Called after each settled message (metrics). */
  readonly onSettled?: (outcome: HandlerOutcome['kind'] | 'error', message: ReceivedMessage) => void;
}

/** NATS refused a message for its size: over the server's `max_payload`, or over the stream's limit (10054). */
function isTooLarge(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  return (
    (e.name === 'InvalidArgumentError' && String(e.message).includes('max_payload')) || (e.name === 'JetStreamApiError' && e.code === 10054)
  );
}

function headerRecord(msg: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  if (!msg.headers) return out;
  for (const key of msg.headers.keys()) out[key] = msg.headers.get(key);
  return out;
}

export class ConsumerRunner {
  private readonly concurrency: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pending = new Map<Promise<void>, JsMsg>();
  private slotWaiters: Array<() => void> = [];
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private started = false;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 16);
  }

  /** Number of messages being handled right now. */
  get active(): number {
    return this.inFlight.size;
  }

  get running(): boolean {
    return this.started && !this.stopping;
  }

  /** Binds to the durable consumer (which must exist) and starts consuming in the background. */
  async start(): Promise<void> {
    const { js, consumer } = this.options;
    const handle = await js.consumers.get(consumer.stream, consumer.durable);
    this.started = true;
    this.loop = this.run(handle);
  }

  private async run(handle: Consumer): Promise<void> {
    while (!this.stopping) {
      try {
        this.messages = await handle.consume({ max_messages: this.concurrency });
        for await (const msg of this.messages) {
          if (this.stopping) {
            msg.nak();
            continue;
          }
          await this.acquireSlot();
          if (this.stopping) {
            msg.nak();
            continue;
          }
          const task = this.process(msg).finally(() => {
            this.inFlight.delete(task);
            this.pending.delete(task);
            this.releaseSlot();
          });
          this.inFlight.add(task);
          this.pending.set(task, msg);
        }
      } catch (error) {
        if (this.stopping) break;
        this.options.logger.warn('consumer interrupted; resubscribing in 1 s', { consumer: this.options.consumer.durable, error });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.inFlight.size < this.concurrency) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
  }

  private async process(msg: JsMsg): Promise<void> {
    const { consumer, logger } = this.options;
    const received: ReceivedMessage = {
      subject: msg.subject,
      data: msg.data,
      headers: headerRecord(msg),
      deliveryCount: msg.info.deliveryCount,
      maxDeliver: consumer.maxDeliver,
      stream: msg.info.stream,
      streamSequence: msg.seq,
      working: () => msg.working(),
    };
    let outcome: HandlerOutcome;
    // A long handler keeps its message: tell the server every half ack-wait that work goes on.
    const heartbeat = setInterval(() => msg.working(), Math.max(500, consumer.ackWaitMs / 2));
    try {
      outcome = await this.options.handle(received);
    } catch (error) {
      const delayMs = retryDelay(received.deliveryCount, this.options.backoff ?? DEFAULT_BACKOFF);
      logger.warn('handler failed; will retry', {
        consumer: consumer.durable,
        subject: msg.subject,
        seq: msg.seq,
        attempt: received.deliveryCount,
        retry_in_ms: delayMs,
        error,
      });
      outcome = { kind: 'retry', delayMs, reason: (error as Error).message ?? String(error) };
      this.options.onSettled?.('error', received);
    } finally {
      clearInterval(heartbeat);
    }
    try {
      await this.settle(msg, received, outcome);
      this.options.onSettled?.(outcome.kind, received);
    } catch (error) {
      logger.error('could not settle message; it will be redelivered', { consumer: consumer.durable, seq: msg.seq, error });
      msg.nak(1_000);
    }
  }

  private async settle(msg: JsMsg, received: ReceivedMessage, outcome: HandlerOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'ack':
        msg.ack();
        return;
      case 'retry':
        if (received.deliveryCount >= received.maxDeliver) {
          await this.publishDeadLetter(received, `gave up after ${received.deliveryCount} attempts: ${outcome.reason}`, [], undefined);
          msg.term();
          return;
        }
        msg.nak(Math.max(0, Math.round(outcome.delayMs)));
        return;
      case 'dead':
        await this.publishDeadLetter(received, outcome.reason, outcome.issues ?? [], outcome.eventId);
        msg.ack();
        return;
    }
  }

  private async publishDeadLetter(
    received: ReceivedMessage,
    reason: string,
    issues: readonly ValidationIssue[],
    eventId: string | undefined,
  ): Promise<void> {
    const letter: DeadLetter = {
      stage: this.options.deadLetter.stage,
      reason,
      issues: issues.map((i) => ({ ...i })),
      subject: received.subject,
      stream: received.stream,
      stream_seq: received.streamSequence,
      deliveries: received.deliveryCount,
      headers: { ...received.headers },
      payload_base64: Buffer.from(received.data).toString('base64'),
      ...(eventId !== undefined ? { event_id: eventId } : {}),
      at: new Date().toISOString(),
    };
    const h = natsHeaders();
    h.set(MESSAGE_HEADERS.deadReason, reason.replace(/[\r\n]+/g, ' ').slice(0, 1024));
    const publish = (body: string) =>
      this.options.js.publish(this.options.deadLetter.subject(received), body, {
        msgID: `dead:${received.stream}:${received.streamSequence}`,
        headers: h,
      });
    try {
      await publish(JSON.stringify(letter));
    } catch (error) {
      // A payload near the NATS limit cannot travel base64-encoded inside a letter: send the letter
      // without it (the original stays in its stream at `stream_seq`), never retry forever.
      if (!isTooLarge(error)) throw error;
      await publish(
        JSON.stringify({
          ...letter,
          reason: `${reason} (payload of ${received.data.byteLength} bytes left out of this dead letter, too large for NATS; the original is ${received.stream} sequence ${received.streamSequence})`,
          payload_base64: '',
        }),
      );
    }
    this.options.logger.warn('dead-lettered', {
      consumer: this.options.consumer.durable,
      subject: received.subject,
      seq: received.streamSequence,
      reason,
      ...(eventId ? { event_id: eventId } : {}),
    });
  }

  /**
   * Stops fetching, lets in-flight handlers finish within `timeoutMs`, and naks whatever is still
   * running after that so another replica gets it at once.
   */
  async stop(timeoutMs = 8_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const wake of this.slotWaiters.splice(0)) wake();
    await this.messages?.close().catch(() => undefined);
    const all = Promise.allSettled([...this.inFlight]);
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), timeoutMs).unref()),
    ]);
    if (timedOut) {
      for (const msg of this.pending.values()) msg.nak();
      this.options.logger.warn("stopped with handlers still running; their messages were nak'ed for redelivery", {
        consumer: this.options.consumer.durable,
        count: this.pending.size,
      });
    }
    await Promise.race([this.loop?.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
}
