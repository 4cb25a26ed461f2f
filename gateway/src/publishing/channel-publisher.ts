/**
 * Publishes routed deliveries: one channel message per delivery on `herald.deliver.<channel>`,
 * `Nats-Msg-Id` = `delivery_id` (a republish after a crash is de-duplicated by JetStream),
 * pipelined; resolves only when JetStream stored every one. The event is serialised and encoded
 * once: each message is its own fields' bytes followed by the shared `event_label` and `event`
 * bytes, so a broadcast does not build and encode the event's JSON again for every recipient.
 *
 * At most `window` messages are in flight: a broadcast to 100 000 users streams through a bounded
 * window (refilled by half a window at a time, so writes stay batched) instead of building every
 * message body, header set and PubAck promise at once — the window keeps the connection busy, so
 * this costs no throughput, and memory stays flat in the number of recipients.
 */
import type { PubAck } from '@nats-io/jetstream';
import { channelMessageHeaders, type ChannelMessage, type HeraldEvent, type StreamPublisher, type Subjects } from '@herald/contracts';
import type { PlannedDelivery } from '../routing/index.js';

export interface PublishSummary {
  readonly published: number;
  /** Already stored within the duplicate window (a redelivered event). */
  readonly duplicates: number;
}

/** What stores a channel message and resolves with its PubAck: the gateway's `StreamPublisher` (`MessagingService.publisher`). */
export type StreamPublish = Pick<StreamPublisher, 'publish'>;

export class ChannelPublisher {
  constructor(
    private readonly streams: StreamPublish,
    private readonly subjects: Subjects,
    /**
     * Messages in flight at most. @default 128: a broadcast to 100 000 users stored in 3.3–4.9 s
     * at a gateway peak of 466–503 MB (seven runs) with 128, against 4.6 s and 650–676 MB with
     * 2 048 (messages in flight outlive V8's young generation and are promoted, so a larger window
     * grows the old generation with garbage; see test/bench/README.md).
     */
    private readonly window = 128,
  ) {}

  /** Publishes one complete channel message (a released held delivery, a digest), with `Nats-Msg-Id` = its `delivery_id`. */
  publishMessage(message: ChannelMessage): Promise<PubAck> {
    return this.streams.publish(this.subjects.deliver(message.channel), JSON.stringify(message), {
      msgID: message.delivery_id,
      headers: eventHeaders(message.event),
    });
  }

  /**
   * `unsubscribeUrl` gives a delivery its one-click unsubscribe link (`unsubscribe_url`), or
   * `undefined` for none. @default none for every delivery
   *
   * `deliveries` may be any iterable, read as the window frees up: a streamed broadcast hands its
   * deliveries over as they are planned, so the window never drains between chunks and the whole
   * broadcast is never in memory at once. An error thrown while it is read rejects the publish.
   */
  async publish(
    event: HeraldEvent,
    eventLabel: string,
    deliveries: readonly PlannedDelivery[] | Iterable<PlannedDelivery>,
    unsubscribeUrl: (delivery: PlannedDelivery) => string | undefined = () => undefined,
  ): Promise<PublishSummary> {
    if (Array.isArray(deliveries) && deliveries.length === 0) return { published: 0, duplicates: 0 };
    const shared = UTF8.encode(`"event_label":${JSON.stringify(eventLabel)},"event":${JSON.stringify(event)}}`);
    const send = (d: PlannedDelivery): Promise<PubAck> => {
      const h = eventHeaders(event);
      const unsubscribe = unsubscribeUrl(d);
      const own =
        `{"delivery_id":${JSON.stringify(d.delivery_id)},"channel":${JSON.stringify(d.channel)},` +
        `"destination":${JSON.stringify(d.destination)},"site_url":${JSON.stringify(d.site_url)},` +
        (unsubscribe === undefined ? '' : `"unsubscribe_url":${JSON.stringify(unsubscribe)},`);
      const ownBytes = Buffer.byteLength(own);
      const body = new Uint8Array(ownBytes + shared.length);
      UTF8.encodeInto(own, body);
      body.set(shared, ownBytes);
      return this.streams.publish(this.subjects.deliver(d.channel), body, { msgID: d.delivery_id, headers: h });
    };
    if (Array.isArray(deliveries) && deliveries.length <= this.window) {
      const results = await Promise.all((deliveries as readonly PlannedDelivery[]).map(send));
      const duplicates = results.filter((ack) => ack.duplicate).length;
      return { published: results.length - duplicates, duplicates };
    }
    const source = deliveries[Symbol.iterator]();
    let exhausted = false;
    let stored = 0;
    let duplicates = 0;
    let inFlight = 0;
    const refillBelow = Math.max(1, Math.floor(this.window / 2));
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const fill = (): void => {
        try {
          while (inFlight < this.window && !exhausted) {
            const next = source.next();
            if (next.done === true) {
              exhausted = true;
              break;
            }
            inFlight++;
            send(next.value).then(
              (ack) => {
                inFlight--;
                if (ack.duplicate) duplicates++;
                else stored++;
                if (failed) return;
                if (exhausted) {
                  if (inFlight === 0) resolve();
                } else if (inFlight <= refillBelow) fill();
              },
              (error: unknown) => {
                inFlight--;
                fail(error);
              },
            );
          }
        } catch (error) {
          fail(error);
          return;
        }
        if (exhausted && inFlight === 0) resolve();
      };
      fill();
    });
    return { published: stored, duplicates };
  }
}

const UTF8 = new TextEncoder();

/** The headers every channel message carries beside its body. */
const eventHeaders = (event: HeraldEvent) => channelMessageHeaders(event.id, event.type);
