/**
 * The gateway's Nest microservice transport: every `@EventPattern(durable)` handler is served by
 * one `ConsumerRunner` (contracts) on that JetStream durable, so a Nest handler keeps every
 * guarantee of the runner:
 *
 * - bounded concurrency per durable (the binding's `concurrency`);
 * - the handler's payload is the `ReceivedMessage` (it decodes the bytes itself) and its return
 *   value is the `HandlerOutcome`; the message is settled only after the handler's promise (and so
 *   whatever it wrote) has resolved: `ack` → ack; `retry` → nak(delay), or on the last allowed
 *   delivery dead-letter then term; `dead` → dead-letter then ack;
 * - a thrown error is retried with exponential backoff (`@JetStreamController()` passes it through
 *   Nest's exception layer unchanged); a handler that returns no outcome is treated the same way;
 * - `close()` stops fetching, lets in-flight handlers finish (naks what outlives `drainTimeoutMs`
 *   so another replica takes it at once) and only then returns. Nest calls it from the
 *   `onModuleDestroy` hook, before NATS is drained and the database closed.
 *
 * The pattern of a handler is the name of its durable; `listen()` refuses a handler without a
 * durable and a durable without a handler.
 */
import type { OnModuleDestroy } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { JetStreamClient } from '@nats-io/jetstream';
import { lastValueFrom } from 'rxjs';
import {
  ConsumerRunner,
  type ConsumerDefinition,
  type ConsumerRunnerOptions,
  type HandlerOutcome,
  type Logger,
  type ReceivedMessage,
} from '@herald/contracts';
import { JetStreamContext } from './jetstream.context.js';

/** Identifies this transport in `@EventPattern(pattern, JETSTREAM_TRANSPORT)` and Nest's hooks. */
export const JETSTREAM_TRANSPORT = Symbol('jetstream');

/** One durable served by the transport. */
export interface JetStreamBinding {
  /** The durable (which must exist); its name is the handler's pattern. */
  readonly consumer: ConsumerDefinition;
  /** Messages handled at once by this replica on this durable. */
  readonly concurrency: number;
  /** Where messages the handler gives up on go. */
  readonly deadLetter: ConsumerRunnerOptions['deadLetter'];
}

export interface JetStreamTransportOptions {
  readonly js: JetStreamClient;
  readonly bindings: readonly JetStreamBinding[];
  readonly logger: Logger;
  /** Time in-flight handlers get to finish at close before their messages are nak'ed, ms. @default 8000 */
  readonly drainTimeoutMs?: number;
}

function isHandlerOutcome(value: unknown): value is HandlerOutcome {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'ack' || kind === 'retry' || kind === 'dead';
}

export class JetStreamTransport extends Server implements CustomTransportStrategy, OnModuleDestroy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  /** Handler errors come back to `dispatch` (and so to the runner), which reports them. */
  override readonly propagatesEventHandlerErrors = true;
  private readonly runners = new Map<string, ConsumerRunner>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
  }

  /** Starts one runner per binding; `callback(error)` when a handler or durable is missing or cannot be bound. */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const handlers = this.matchHandlers();
      for (const binding of this.options.bindings) {
        const durable = binding.consumer.durable;
        const handler = handlers.get(durable)!;
        const runner = new ConsumerRunner({
          js: this.options.js,
          consumer: binding.consumer,
          concurrency: binding.concurrency,
          deadLetter: binding.deadLetter,
          handle: (message) => this.dispatch(durable, handler, message),
          logger: this.options.logger.child({ consumer: durable }),
        });
        this.runners.set(durable, runner);
        await runner.start();
      }
      this._status$.next('connected');
      callback();
    } catch (error) {
      await this.stopRunners();
      callback(error);
    }
  }

  /** Handlers by durable; throws when patterns and bindings do not pair up one to one. */
  private matchHandlers(): Map<string, MessageHandler> {
    const durables = this.options.bindings.map((b) => b.consumer.durable);
    const handlers = new Map<string, MessageHandler>();
    for (const [pattern, handler] of this.getHandlers()) {
      if (!durables.includes(pattern))
        throw new Error(
          `@EventPattern('${pattern}') names no JetStream durable of this transport (known: ${durables.join(', ')}); use the durable's name as the pattern or add a binding for it`,
        );
      if (!handler.isEventHandler)
        throw new Error(`'${pattern}' is a @MessagePattern; JetStream durables are served by @EventPattern handlers (no reply is sent)`);
      handlers.set(pattern, handler);
    }
    const unserved = durables.filter((durable) => !handlers.has(durable));
    if (unserved.length > 0)
      throw new Error(
        `no @EventPattern handler for the JetStream durable(s) ${unserved.join(', ')}: add one to a @JetStreamController() in the module graph`,
      );
    return handlers;
  }

  /** Runs the Nest handler of `durable` (pipes, interceptors, filters) and returns its outcome. */
  private dispatch(durable: string, handler: MessageHandler, message: ReceivedMessage): Promise<HandlerOutcome> {
    const context = new JetStreamContext([message]);
    const run = async (): Promise<HandlerOutcome> => {
      const result: unknown = await handler(message, context);
      const outcome = await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      if (!isHandlerOutcome(outcome))
        throw new Error(
          `the @EventPattern('${durable}') handler returned ${JSON.stringify(outcome) ?? 'undefined'}; it must return a HandlerOutcome ({ kind: 'ack' | 'retry' | 'dead' })`,
        );
      return outcome;
    };
    return new Promise<HandlerOutcome>((resolve, reject) => {
      this.onProcessingStartHook(this.transportId, context, () =>
        run()
          .then(resolve, reject)
          .finally(() => this.onProcessingEndHook?.(this.transportId, context)),
      );
    });
  }

  /** Messages being handled right now, over every durable. */
  get active(): number {
    let count = 0;
    for (const runner of this.runners.values()) count += runner.active;
    return count;
  }

  /** Stops fetching on every durable and waits for in-flight handlers (see the header). Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.stopRunners().then(() => this._status$.next('disconnected'));
    return this.closing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  private async stopRunners(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.stop(this.options.drainTimeoutMs ?? 8_000)));
  }

  /** The transport emits no events of its own. */
  on(event: string): never {
    throw new Error(`JetStreamTransport has no "${event}" event; follow the transport's state with its status observable`);
  }

  /** The JetStream client the runners consume with. */
  unwrap<T>(): T {
    return this.options.js as T;
  }
}
