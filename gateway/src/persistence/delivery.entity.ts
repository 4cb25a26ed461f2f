/**
 * One (event, channel, destination) delivery and its latest known outcome. `seq` (a bigserial,
 * not mapped) orders the log for cursor pagination.
 */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** `held`: deferred by quiet hours or waiting for its digest (SPEC §3.6); `published` once released. */
export const DELIVERY_LOG_OUTCOMES = ['held', 'published', 'delivered', 'retrying', 'failed', 'dropped'] as const;
export type DeliveryLogOutcome = (typeof DELIVERY_LOG_OUTCOMES)[number];

export const DeliveryEntity = defineEntity({
  name: 'Delivery',
  tableName: 'deliveries',
  properties: {
    delivery_id: p.string().primary(),
    event_id: p.string(),
    channel: p.string(),
    user_id: p.string().nullable(),
    destination: p.json<Record<string, unknown>>(),
    outcome: p.enum(() => DELIVERY_LOG_OUTCOMES),
    attempt: p.integer(),
    detail: p.string().nullable(),
    created_at: p.datetime(),
    updated_at: p.datetime(),
  },
});
export type DeliveryEntity = InferEntity<typeof DeliveryEntity>;
