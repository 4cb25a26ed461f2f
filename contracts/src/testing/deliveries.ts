/**
 * Driving a running plugin through real JetStream, as the gateway does: publish channel messages
 * and read the statuses the plugin reported. For tests that start the plugin themselves (with
 * `runPlugin`); `startPluginHarness` offers the same on the harness it starts.
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ChannelMessage } from '../channel-message.js';
import { decodeStatusReport, type DeliveryStatus } from '../delivery-status.js';
import { formatIssues } from '../errors.js';
import { topology } from '../topology.js';
import { toValidationIssues } from '../validation.js';
import { readStream, waitFor } from './jetstream.js';

/** Publishes on `<prefix>.deliver.<channel>` with `Nats-Msg-Id` = `delivery_id`, without the gateway's headers. */
export async function publishMessage(nc: NatsConnection, prefix: string, message: ChannelMessage): Promise<void> {
  await jetstream(nc).publish(topology({ prefix }).subjects.deliver(message.channel), JSON.stringify(message), {
    msgID: message.delivery_id,
  });
}

/** The statuses of one status report (one status or a batch); throws, naming the fields, when it breaks the contract. */
export function statusesInReport(json: unknown): readonly DeliveryStatus[] {
  const report = decodeStatusReport(json);
  if (!report.ok) throw new Error(`not a status report: ${formatIssues(toValidationIssues(report.error, json))}`);
  return report.statuses;
}

/** Statuses reported on `<prefix>.status.<channel>`, oldest first, each checked against the contract; only those of `deliveryId` when given. */
export async function statusesOf(nc: NatsConnection, prefix: string, channel: string, deliveryId?: string): Promise<DeliveryStatus[]> {
  const topo = topology({ prefix });
  const stored = await readStream(nc, topo.streams.status.name, topo.subjects.status(channel));
  return stored.flatMap((m) => statusesInReport(m.json())).filter((s) => deliveryId === undefined || s.delivery_id === deliveryId);
}

/**
 * Waits for a final status (delivered, dropped, failed) of one delivery and returns all its
 * statuses, oldest first; after `timeoutMs` (default 15 s) returns what was seen so far.
 */
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
