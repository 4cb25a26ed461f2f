/**
 * The plain data routing is computed from, exactly as loaded from storage (one array per table).
 * `buildSnapshot` turns it into an indexed, immutable `Snapshot`. Loaders produce this shape and
 * nothing else; routing never sees a database row object.
 */
import type { EventTypeDefinition, Severity } from '@herald/contracts';

/** Column name → channel names. A stored row always has every column of its kind present. */
export type EventChannels = Readonly<Record<string, readonly string[]>>;

/**
 * A filter on one column of one settings row (SPEC §3.6): the channels the row contributes to the
 * column count only for events passing every clause given (see `filters.ts`).
 */
export interface ColumnFilter {
  /** Only events at least this severe (Critical > High > Medium > Low > Info). */
  readonly min_severity?: Severity;
  /** Only events whose product type id (from the event's scope, the directory first) is one of these. */
  readonly product_types?: readonly string[];
  /** Only events carrying at least one of these tags in `data.tags`. */
  readonly tags_any?: readonly string[];
}

/** Column name → its filter; columns without a filter are absent. */
export type ColumnFilters = Readonly<Record<string, ColumnFilter>>;

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly full_name: string;
  readonly active: boolean;
  readonly superuser: boolean;
  /** Any global role (DefectDojo: Reader, Writer, Maintainer, Owner, API_Importer) grants view of every product. */
  readonly global_role: string | null;
  readonly slack_email: string | null;
}

export interface ProductTypeRecord {
  readonly id: string;
  readonly name: string;
}

export interface ProductRecord {
  readonly id: string;
  readonly name: string;
  readonly product_type_id: string;
}

export interface MembershipRecord {
  /** Product id or product-type id, depending on the list it is in. */
  readonly scope_id: string;
  readonly user_id: string;
  readonly role: string | null;
}

export interface ChannelRecord {
  readonly name: string;
  readonly enabled: boolean;
  /**
   * Whether the channel has somewhere to send system-scope messages (a Slack channel, a Teams URL,
   * at least one system mail address). Webhooks: always true (the plugin knows its endpoints).
   */
  readonly has_system_destination: boolean;
}

export interface SnapshotInput {
  readonly users: readonly UserRecord[];
  readonly productTypes: readonly ProductTypeRecord[];
  readonly products: readonly ProductRecord[];
  readonly productMembers: readonly MembershipRecord[];
  readonly productTypeMembers: readonly MembershipRecord[];
  /** The catalogue plus event types registered by administrators. */
  readonly eventTypes: readonly EventTypeDefinition[];
  /** The system row; `null` when never saved (then catalogue defaults apply). */
  readonly system: EventChannels | null;
  /** The system row's filters. @default {} */
  readonly systemFilters?: ColumnFilters;
  readonly personal: ReadonlyArray<{
    readonly user_id: string;
    readonly events: EventChannels;
    readonly filters?: ColumnFilters;
    /** The user's quiet hours (SPEC §3.6); absent or `null` when none. */
    readonly quiet_hours?: QuietHours | null;
    /** The user's digests (SPEC §3.6); absent when none. */
    readonly digests?: DigestSettings;
  }>;
  readonly productSettings: ReadonlyArray<{
    readonly user_id: string;
    readonly product_id: string;
    readonly events: EventChannels;
    readonly filters?: ColumnFilters;
  }>;
  /** Configured channels. Channels missing here are disabled, except `alert` (always enabled). */
  readonly channels: readonly ChannelRecord[];
  /** Lower-cased addresses of the mail channel's `mail_notifications_to`. */
  readonly systemMailRecipients: readonly string[];
  /** Event types whose system row is merged into recipients' personal rows (HERALD_SYSTEM_LEVEL_TRUMP). */
  readonly systemLevelTrump: readonly string[];
}

/** One quiet window (SPEC §3.6): on the given days, from `start` to `end` local time; `end` ≤ `start` crosses midnight. */
export interface QuietWindow {
  /** The days a window starts on: `mon` … `sun`. */
  readonly days: readonly string[];
  /** `HH:MM`, 24-hour local time. */
  readonly start: string;
  /** `HH:MM`; not equal to `start`. */
  readonly end: string;
}

/** A user's quiet hours: push deliveries during a window wait for its end. */
export interface QuietHours {
  /** IANA time zone the windows (and the user's digests) are read in. */
  readonly timezone: string;
  readonly windows: readonly QuietWindow[];
  /** Columns whose deliveries are never deferred. */
  readonly bypass: readonly string[];
}

/** Column → channel → `hourly` or `daily at HH:MM`: deliveries collected into one digest message per window. */
export type DigestSettings = Readonly<Record<string, Readonly<Record<string, string>>>>;
