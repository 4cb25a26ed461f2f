/**
 * Bodies of the directory (SPEC §4, §7): users, product types, products, memberships, engagements.
 * The same schemas serve the HTTP API and `herald.directory.*` events. Unknown fields are refused,
 * so a typo never silently drops data.
 */
import { z } from 'zod';
import { ENGAGEMENT_STATUSES } from './engagement.entity.js';

const email = z.union([z.literal(''), z.email()]);

export const userInputSchema = z.strictObject({
  username: z.string().trim().min(1).max(150),
  /** May be empty (DefectDojo allows users without an address); validated when present. @default "" */
  email: email.default(''),
  full_name: z.string().max(300).default(''),
  active: z.boolean().default(true),
  superuser: z.boolean().default(false),
  /** Any global role grants view of every product. */
  global_role: z.string().min(1).nullable().optional(),
  /** Address Slack looks the user up by; falls back to `email`. */
  slack_email: email.nullable().optional(),
});
export type UserInput = z.infer<typeof userInputSchema>;

export const productTypeInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(255),
});
export type ProductTypeInput = z.infer<typeof productTypeInputSchema>;

export const productInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(255),
  product_type_id: z.string().min(1),
});
export type ProductInput = z.infer<typeof productInputSchema>;

export const membershipInputSchema = z.strictObject({
  /** Informational (e.g. "Owner"); any membership grants view. */
  role: z.string().min(1).nullable().optional(),
});
export type MembershipInput = z.infer<typeof membershipInputSchema>;

export const engagementInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(300),
    product_id: z.string().min(1),
    /** Username of the lead (reminders go to them). */
    lead: z.string().min(1).nullable().optional(),
    target_start: z.iso.date(),
    target_end: z.iso.date(),
    status: z.enum(ENGAGEMENT_STATUSES).default('not_started'),
  })
  .refine((engagement) => engagement.target_start <= engagement.target_end, {
    path: ['target_end'],
    message: 'must not be before target_start',
  });
export type EngagementInput = z.infer<typeof engagementInputSchema>;
