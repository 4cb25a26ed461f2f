/** What the directory hands out: plain records with ISO timestamps, never ORM entities. */
import type { EngagementStatus } from './engagement.entity.js';

export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly full_name: string;
  readonly active: boolean;
  readonly superuser: boolean;
  readonly global_role: string | null;
  readonly slack_email: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface ProductTypeView {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface ProductView {
  readonly id: string;
  readonly name: string;
  readonly product_type_id: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface MembershipView {
  /** Product or product-type id. */
  readonly scope_id: string;
  readonly user_id: string;
  readonly role: string | null;
}

export interface EngagementView {
  readonly id: string;
  readonly name: string;
  readonly product_id: string;
  readonly lead: string | null;
  /** `YYYY-MM-DD`. */
  readonly target_start: string;
  readonly target_end: string;
  readonly status: EngagementStatus;
  readonly created_at: string;
  readonly updated_at: string;
}

/** An idempotent upsert's answer: the stored record and whether this call created it. */
export interface Upserted<T> {
  readonly record: T;
  readonly created: boolean;
}
