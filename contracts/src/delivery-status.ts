/**
 * Delivery status (SPEC §2.4), published by plugins on `herald.status.<channel>`.
 */
import { z } from 'zod';
import { destinationSchema } from './channel-message.js';

/** Outcomes a plugin reports on `herald.status.<channel>`. */
export const DELIVERY_OUTCOMES = ['delivered', 'retrying', 'failed', 'dropped'] as const;
export type StatusOutcome = (typeof DELIVERY_OUTCOMES)[number];
/**
 * Every outcome the API reports for a delivery (`GET /deliveries`, `GET /events/{id}/deliveries`):
 * `published` (routed and handed to the channel, no status yet) and each status outcome.
 */
export const REPORTED_OUTCOMES = ['published', ...DELIVERY_OUTCOMES] as const;
export type DeliveryOutcome = (typeof REPORTED_OUTCOMES)[number];

const base = {
  delivery_id: z.string().min(1),
  event_id: z.string().min(1),
  channel: z.string().min(1),
  destination: destinationSchema,
  attempt: z.number().int().min(1),
  at: z.iso.datetime({ offset: true }),
};

/** `detail` is required where the outcome needs a why (everything but `delivered`). */
export const deliveryStatusSchema = z.discriminatedUnion('outcome', [
  z.object({ ...base, outcome: z.literal('delivered'), detail: z.string().optional() }),
  z.object({ ...base, outcome: z.literal('retrying'), detail: z.string().min(1), retry_in_ms: z.number().int().min(0) }),
  z.object({ ...base, outcome: z.literal('failed'), detail: z.string().min(1) }),
  z.object({ ...base, outcome: z.literal('dropped'), detail: z.string().min(1) }),
]);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** Statuses one status report may carry at most (the SDK also closes a batch at 256 KB of JSON). */
export const MAX_STATUSES_PER_REPORT = 256;

/**
 * Several statuses in one message on `herald.status.<channel>`: `{ "statuses": [status, …] }`, each
 * element a SPEC §2.4 status. An extension of SPEC §2.4, which names one status per message (the
 * gateway reads both forms; the SDK sends one status alone as SPEC §2.4 says and only puts statuses
 * that are ready together into a batch): each report is a JetStream write, an acknowledgement and a
 * delivery to the gateway, so a batch of n costs one of each instead of n.
 */
export const statusBatchSchema = z.object({
  statuses: z.array(deliveryStatusSchema).min(1).max(MAX_STATUSES_PER_REPORT),
});
export type StatusBatch = z.infer<typeof statusBatchSchema>;

/** A status report, decoded: its statuses in the order sent, or what is wrong with it. */
export type DecodedStatusReport =
  { readonly ok: true; readonly statuses: readonly DeliveryStatus[] } | { readonly ok: false; readonly error: z.ZodError };

/**
 * Reads a status report's parsed JSON: an object with a `statuses` member is a batch, anything else
 * one status. The form is chosen first so a bad report's issues name the fields of that form
 * (`statuses[3].detail`), not a mix of both forms' complaints.
 */
export function decodeStatusReport(raw: unknown): DecodedStatusReport {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'statuses' in raw) {
    const batch = statusBatchSchema.safeParse(raw);
    return batch.success ? { ok: true, statuses: batch.data.statuses } : { ok: false, error: batch.error };
  }
  const single = deliveryStatusSchema.safeParse(raw);
  return single.success ? { ok: true, statuses: [single.data] } : { ok: false, error: single.error };
}

/** The `Nats-Msg-Id` of a report of one status: `<delivery_id>:<attempt>:<outcome>`. */
export function statusMessageId(status: Pick<DeliveryStatus, 'delivery_id' | 'attempt' | 'outcome'>): string {
  return `${status.delivery_id}:${status.attempt}:${status.outcome}`;
}
