/** A dead letter kept for inspection and replay (SPEC §2.1, §7). The payload is the original bytes, base64. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const DeadLetterEntity = defineEntity({
  name: 'DeadLetter',
  tableName: 'dead_letters',
  properties: {
    id: p.string().primary(),
    stage: p.enum(['ingest', 'route', 'deliver'] as const),
    subject: p.string(),
    reason: p.string(),
    issues: p.json<Array<{ path: string; message: string; expected?: string }>>(),
    headers: p.json<Record<string, string>>(),
    payload: p.text(),
    event_id: p.string().nullable(),
    stream: p.string(),
    stream_seq: p.integer(),
    deliveries: p.integer(),
    created_at: p.datetime(),
    replayed_at: p.datetime().nullable(),
  },
});
export type DeadLetterEntity = InferEntity<typeof DeadLetterEntity>;
