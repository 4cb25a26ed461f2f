/**
 * An in-app alert (SPEC §5 alert): what the store keeps for one user and what the API returns.
 * Invariants: `title` ≤ 250, `description` ≤ 2000 and `source` ≤ 100 characters (Unicode code
 * points, as PostgreSQL's `char_length` counts); `url` is absolute http(s) or `null`;
 * `delivery_id` is unique, so one channel message yields at most one alert.
 */

/** Column limits, in characters (code points). DefectDojo's `Alerts` model uses the same sizes. */
export const ALERT_LIMITS = { title: 250, description: 2000, source: 100, icon: 50 } as const;

/** What `render` produces and the store inserts: everything but the id and the timestamps. */
export interface NewAlert {
  readonly delivery_id: string;
  readonly user_id: string;
  readonly title: string;
  readonly description: string;
  readonly url: string | null;
  readonly icon: string;
  readonly source: string;
}

/** A stored alert. */
export interface Alert extends NewAlert {
  readonly id: string;
  readonly created_at: Date;
  readonly read_at: Date | null;
}

/** The JSON form of an alert (API responses, live stream, internal NATS notifications). */
export interface AlertJson {
  readonly id: string;
  readonly user_id: string;
  readonly title: string;
  readonly description: string;
  readonly url: string | null;
  readonly icon: string;
  readonly source: string;
  /** RFC 3339, millisecond precision. */
  readonly created_at: string;
  readonly read_at: string | null;
  readonly delivery_id: string;
}

export function toAlertJson(alert: Alert): AlertJson {
  return {
    id: alert.id,
    user_id: alert.user_id,
    title: alert.title,
    description: alert.description,
    url: alert.url,
    icon: alert.icon,
    source: alert.source,
    created_at: alert.created_at.toISOString(),
    read_at: alert.read_at === null ? null : alert.read_at.toISOString(),
    delivery_id: alert.delivery_id,
  };
}
