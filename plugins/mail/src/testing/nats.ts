/** Publishing channel messages and reading their statuses, through real JetStream. */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { topology, type ChannelMessage, type DeliveryStatus } from '@herald/contracts';
import { readStream, waitFor } from '@herald/contracts/testing';

/** Publishes as the gateway does: `<prefix>.deliver.<channel>`, `Nats-Msg-Id` = `delivery_id`. */
export async function publishMessage(nc: NatsConnection, prefix: string, message: ChannelMessage): Promise<void> {
  await jetstream(nc).publish(topology({ prefix }).subjects.deliver(message.channel), JSON.stringify(message), {
    msgID: message.delivery_id,
  });
}

/** Every status reported on `<prefix>.status.<channel>` for one delivery, oldest first. */
export async function statusesOf(nc: NatsConnection, prefix: string, channel: string, deliveryId: string): Promise<DeliveryStatus[]> {
  const topo = topology({ prefix });
  const stored = await readStream(nc, topo.streams.status.name, topo.subjects.status(channel));
  return stored.map((m) => m.json<DeliveryStatus>()).filter((s) => s.delivery_id === deliveryId);
}

/** Waits for a final status (delivered, dropped, failed) of one delivery and returns all its statuses. */
export async function waitForFinal(
  nc: NatsConnection,
  prefix: string,
  channel: string,
  deliveryId: string,
  timeoutMs = 15_000,
): Promise<DeliveryStatus[]> {
  return waitFor(
    () => statusesOf(nc, prefix, channel, deliveryId),
    (statuses) => statuses.some((s) => s.outcome !== 'retrying'),
    timeoutMs,
    50,
  );
}
