/** An event type registered by an administrator (SPEC §2.2): it gets its own preference column. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const EventTypeEntity = defineEntity({
  name: 'EventType',
  tableName: 'event_types',
  properties: {
    name: p.string().primary(),
    label: p.string(),
    default_channels: p.json<string[]>(),
    product_scoped: p.boolean(),
    created_at: p.datetime().onCreate(() => new Date()),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type EventTypeEntity = InferEntity<typeof EventTypeEntity>;
