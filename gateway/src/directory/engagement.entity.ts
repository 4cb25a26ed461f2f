/** An engagement of a product; the scheduler's reminders are computed from its dates and status. */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ENGAGEMENT_STATUSES = ['not_started', 'in_progress', 'completed', 'cancelled'] as const;
export type EngagementStatus = (typeof ENGAGEMENT_STATUSES)[number];

export const EngagementEntity = defineEntity({
  name: 'Engagement',
  tableName: 'engagements',
  properties: {
    id: p.string().primary(),
    name: p.string(),
    product_id: p.string().index('engagements_product_id_idx'),
    /** Username of the engagement lead (reminders go to them), not a user id. */
    lead: p.string().nullable(),
    /** `YYYY-MM-DD`; a `date` column mapped to a string, so no timezone can shift it. */
    target_start: p.date(),
    target_end: p.date(),
    status: p.enum(() => ENGAGEMENT_STATUSES),
    created_at: p.datetime().onCreate(() => new Date()),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type EngagementEntity = InferEntity<typeof EngagementEntity>;
