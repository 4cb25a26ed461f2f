/**
 * JetStream publishes without a request per message.
 *
 * `JetStreamClient.publish` (`@nats-io/jetstream` 3.4.0) makes every publish a full client request:
 * a copy of the options, a header set built from them, a backoff object, a `RequestOne` with its
 * own promise, random reply token and `setTimeout`, two async frames, and a `TextDecoder` made to
 * read the PubAck. That is most of what the gateway spends on a channel message. This publisher
 * sends the same bytes — a core publish with `Nats-Msg-Id` in the headers and a reply subject —
 * and reads the PubAcks on one subscription: `<inbox prefix>.<unique>.*`, the reply token a
 * sequence number, pending publishes in a `Map`, and one timer sweeping those older than the
 * timeout while any are pending.
 *
 * Outcomes are the client's: the PubAck (`stream`, `seq`, `duplicate`); a JetStream API error as
 * `JetStreamApiError` (its `code` the `err_code`, e.g. 10054 "message size exceeds maximum"); no
 * stream capturing the subject as a `RequestError` with `isNoResponders()` true (503 reply);
 * `TimeoutError` when no reply came within `timeoutMs`; the client's own error when the publish is
 * refused before it is sent (a payload over the server's `max_payload`, a closed connection).
 * Pending publishes are rejected when the connection closes. A publish whose reply is lost while
 * the client reconnects times out, as a request does; republishing with the same `Nats-Msg-Id` is
 * de-duplicated by the stream.
 */
import { JetStreamApiError, type PubAck } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  createInbox,
  headers as natsHeaders,
  NoRespondersError,
  RequestError,
  TimeoutError,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';

export interface StreamPublishOptions {
  /** `Nats-Msg-Id`: the stream stores a message id once within its duplicate window. */
  readonly msgID?: string;
  /** Headers sent with the message; `Nats-Msg-Id` is set on them when `msgID` is given. */
  readonly headers?: MsgHdrs;
}

interface Pending {
  readonly resolve: (ack: PubAck) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
  readonly subject: string;
}

const UTF8 = new TextDecoder();

export class StreamPublisher {
  private readonly inbox: string;
  private readonly subscription: Subscription;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private closedError: Error | undefined;

  constructor(
    private readonly nc: NatsConnection,
    /** Time to wait for a PubAck, ms. @default 5000 (the JetStream client's default) */
    private readonly timeoutMs = 5_000,
  ) {
    const prefix = (nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.inbox = createInbox(prefix);
    this.subscription = nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => (error === null ? this.settle(msg) : this.failAll(error)),
    });
    // resolves (with the error, if one ended it) when the subscription or the connection closes
    const closed = (error: unknown): void => {
      this.closedError = error instanceof Error ? error : new ClosedConnectionError();
      this.failAll(this.closedError);
    };
    void this.subscription.closed.then(closed, closed);
  }

  /** Publishes `data` to `subject` and resolves with the stream's PubAck. */
  publish(subject: string, data: Uint8Array | string, options: StreamPublishOptions = {}): Promise<PubAck> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    let h = options.headers;
    if (options.msgID !== undefined) {
      h ??= natsHeaders();
      h.set('Nats-Msg-Id', options.msgID);
    }
    const id = ++this.next;
    return new Promise<PubAck>((resolve, reject) => {
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${id}`, ...(h === undefined ? {} : { headers: h }) });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.pending.set(id, { resolve, reject, deadline: performance.now() + this.timeoutMs, subject });
      if (this.sweeper === undefined) {
        // runs while publishes are pending and stops at the first sweep that finds none
        this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.floor(this.timeoutMs / 4)));
        this.sweeper.unref();
      }
    });
  }

  /** Publishes still waiting for their PubAck. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Rejects what is pending and stops listening for PubAcks. */
  close(): void {
    this.closedError ??= new ClosedConnectionError();
    this.subscription.unsubscribe();
    this.failAll(this.closedError);
  }

  private settle(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length + 1));
    const waiting = this.pending.get(id);
    if (waiting === undefined) return; // timed out meanwhile
    this.pending.delete(id);
    const status = msg.headers?.code ?? 0;
    if (status === 503) {
      waiting.reject(
        new RequestError(`no stream captures ${waiting.subject} (no responders)`, { cause: new NoRespondersError(waiting.subject) }),
      );
      return;
    }
    if (status >= 400 || msg.data.length === 0) {
      waiting.reject(
        new Error(`JetStream answered the publish to ${waiting.subject} with status ${status} ${msg.headers?.description ?? ''}`.trim()),
      );
      return;
    }
    let reply: {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      domain?: string;
      error?: { code: number; err_code: number; description: string };
    };
    try {
      reply = JSON.parse(UTF8.decode(msg.data)) as typeof reply;
    } catch (error) {
      waiting.reject(new Error(`JetStream's reply to a publish to ${waiting.subject} is not JSON: ${(error as Error).message}`));
      return;
    }
    if (reply.error !== undefined) {
      waiting.reject(new JetStreamApiError(reply.error));
      return;
    }
    if (typeof reply.stream !== 'string' || reply.stream === '' || typeof reply.seq !== 'number') {
      waiting.reject(new Error(`JetStream's reply to a publish to ${waiting.subject} is not a PubAck`));
      return;
    }
    waiting.resolve({
      stream: reply.stream,
      seq: reply.seq,
      duplicate: reply.duplicate === true,
      ...(reply.domain === undefined ? {} : { domain: reply.domain }),
    });
  }

  private sweep(): void {
    const now = performance.now();
    // deadlines grow with insertion order (one timeout for all), so the expired ones come first
    for (const [id, waiting] of this.pending) {
      if (waiting.deadline > now) break;
      this.pending.delete(id);
      waiting.reject(new TimeoutError());
    }
    this.stopSweeperWhenIdle();
  }

  private stopSweeperWhenIdle(): void {
    if (this.pending.size > 0 || this.sweeper === undefined) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private failAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.stopSweeperWhenIdle();
    for (const w of waiting) w.reject(error);
  }
}
