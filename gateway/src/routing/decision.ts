/**
 * What routing decided and why (SPEC §3), stored per event and served by
 * `GET /api/v1/events/{id}/decisions`. One decision per pass that ran or was skipped and one per
 * candidate user, so an operator can answer "why did (or didn't) user X get it?". Users who were
 * never candidates (no subscription for the column, inactive, not a superuser) have no decision.
 */

/** A settings row that contributed at least one channel to a user's merged set. */
export type RowSource = 'personal' | 'product' | 'system';

export interface SkippedChannel {
  readonly channel: string;
  /** A plain sentence, e.g. "channel slack is disabled". */
  readonly reason: string;
}

/**
 * A row whose filter (SPEC §3.6) turned the event away: the channels it would have contributed and
 * why, e.g. `{ row: "personal", channels: ["mail"], reason: "severity Low is below High" }`. A
 * channel another row still contributes is sent all the same; one no row contributes any more is
 * also listed in `skipped`.
 */
export interface FilteredRow {
  readonly row: RowSource;
  readonly channels: readonly string[];
  readonly reason: string;
}

/**
 * A personal push delivery that does not go at once (SPEC §3.6): deferred to the end of the
 * user's quiet window, or collected into a digest. Its channel is still in `channels`: the
 * delivery is planned, held durably and released at `release_at`.
 */
export interface HeldChannel {
  readonly channel: string;
  readonly kind: 'quiet_hours' | 'digest';
  /** When it goes (RFC 3339): the window's end, or the digest's due time. */
  readonly release_at: string;
  /** e.g. "deferred until 07:00 Europe/Berlin", "collected into the hourly digest due at 09:00 UTC". */
  readonly reason: string;
}

/** The system pass: system destinations, and the system alert expanded to active superusers. */
export interface SystemDecision {
  readonly scope: 'system';
  /** Channels sent at system scope (`alert` when expanded to at least one superuser). */
  readonly channels: readonly string[];
  /** Superusers who got the system alert as a personal alert. */
  readonly alert_user_ids: readonly string[];
  readonly skipped: readonly SkippedChannel[];
  /** Why the pass did not run at all (recipients path). */
  readonly reason?: string;
}

/** One candidate user: the rows merged, the channels sent, and every channel not sent with why. */
export interface UserDecision {
  readonly scope: 'user';
  readonly user_id: string;
  readonly username: string;
  /** Channels with a personal delivery planned for this user by this decision. */
  readonly channels: readonly string[];
  readonly merged_from: readonly RowSource[];
  readonly skipped: readonly SkippedChannel[];
  /** Rows whose filter turned the event away; absent when no filter did. */
  readonly filtered?: readonly FilteredRow[];
  /** Channels deferred by quiet hours or collected into a digest; absent when every channel goes at once. */
  readonly held?: readonly HeldChannel[];
  /** Why the user gets nothing at all, e.g. "no access to product 7", "user is inactive". */
  readonly reason?: string;
}

/** A listed recipient that matches no user. */
export interface UnknownRecipientDecision {
  readonly scope: 'recipient';
  readonly username: string;
  readonly reason: string;
}

/** The user pass did not run, e.g. `no_users` or an empty recipients list. */
export interface UserPassDecision {
  readonly scope: 'users';
  readonly reason: string;
}

export type Decision = SystemDecision | UserDecision | UnknownRecipientDecision | UserPassDecision;
