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
