/** Ingest de-duplication: one row per (source, event id) the gateway has started or finished. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ProcessedEventEntity = defineEntity({
  name: 'ProcessedEvent',
  tableName: 'processed_events',
  properties: {
    source: p.string().primary(),
    event_id: p.string().primary(),
    state: p.enum(['processing', 'done'] as const),
    attempts: p.integer(),
    claimed_at: p.datetime(),
    processed_at: p.datetime().nullable(),
  },
});
export type ProcessedEventEntity = InferEntity<typeof ProcessedEventEntity>;
