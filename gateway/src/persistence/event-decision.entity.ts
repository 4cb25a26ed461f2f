/** Why each candidate was or was not notified for one event (SPEC §3), served by the decisions API. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const EventDecisionEntity = defineEntity({
  name: 'EventDecision',
  tableName: 'event_decisions',
  properties: {
    event_id: p.string().primary(),
    type: p.string(),
    /** The preference column the event was routed by (`column` is an SQL keyword). */
    column_name: p.string(),
    /** Empty when `parts` > 0: the decisions are then `event_decision_parts` 0 … parts - 1, in order (a broadcast routed in chunks). */
    decisions: p.json<unknown>(),
    parts: p.integer().default(0),
    routed_at: p.datetime(),
  },
});
export type EventDecisionEntity = InferEntity<typeof EventDecisionEntity>;
