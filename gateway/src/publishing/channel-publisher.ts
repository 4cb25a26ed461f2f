/**
 * Publishes routed deliveries: one channel message per delivery on `herald.deliver.<channel>`,
 * `Nats-Msg-Id` = `delivery_id` (a republish after a crash is de-duplicated by JetStream), all
 * pipelined; resolves only when JetStream stored every one. The event is serialised once.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { MESSAGE_HEADERS, type HeraldEvent, type Subjects } from '@herald/contracts';
import type { PlannedDelivery } from '../routing/index.js';

export interface PublishSummary {
  readonly published: number;
  /** Already stored within the duplicate window (a redelivered event). */
  readonly duplicates: number;
}

export class ChannelPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly subjects: Subjects,
  ) {}

  async publish(event: HeraldEvent, eventLabel: string, deliveries: readonly PlannedDelivery[]): Promise<PublishSummary> {
    if (deliveries.length === 0) return { published: 0, duplicates: 0 };
    const eventJson = JSON.stringify(event);
    const labelJson = JSON.stringify(eventLabel);
    const acks = deliveries.map((d) => {
      const h = natsHeaders();
      h.set(MESSAGE_HEADERS.eventId, event.id);
      h.set(MESSAGE_HEADERS.eventType, event.type);
      const body =
        `{"delivery_id":${JSON.stringify(d.delivery_id)},"channel":${JSON.stringify(d.channel)},` +
        `"destination":${JSON.stringify(d.destination)},"site_url":${JSON.stringify(d.site_url)},` +
        `"event_label":${labelJson},"event":${eventJson}}`;
      return this.js.publish(this.subjects.deliver(d.channel), body, { msgID: d.delivery_id, headers: h });
    });
    const results = await Promise.all(acks);
    const duplicates = results.filter((ack) => ack.duplicate).length;
    return { published: results.length - duplicates, duplicates };
  }
}
