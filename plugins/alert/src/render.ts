/**
 * Channel message → alert row. Pure and deterministic: no I/O, no clock.
 * Invariants: the row respects every `ALERT_LIMITS` (over-long text is cut and ends with "…");
 * `url` is an absolute http(s) URL or `null`; `source` is the message's `event_label`; a
 * system-scope message yields a `dropped` outcome with its reason, never a silent no-op.
 */
import { capText, linkUrl, type ChannelMessage, type SendOutcome } from '@herald/contracts';
import { ALERT_LIMITS, type NewAlert } from './alert.js';
import type { AlertConfig } from './config.js';

/** Why a system-scope alert message is dropped (the gateway never sends one). */
export const SYSTEM_SCOPE_REASON = 'alert messages are personal; the gateway expands system alerts to superusers';

/** Icon of an event whose type has no entry in `EVENT_ICONS` and whose data names none. */
export const DEFAULT_ICON = 'bell';

/** Default icons (Font Awesome names, as DefectDojo's UI uses) per event type. */
export const EVENT_ICONS: Readonly<Record<string, string>> = {
  product_type_added: 'sitemap',
  product_added: 'cube',
  engagement_added: 'calendar-plus',
  test_added: 'flask',
  scan_added: 'shield-alt',
  scan_added_empty: 'shield-alt',
  jira_update: 'ticket-alt',
  upcoming_engagement: 'calendar',
  stale_engagement: 'calendar-times',
  auto_close_engagement: 'calendar-check',
  close_engagement: 'calendar-check',
  engagement_closed: 'calendar-check',
  user_mentioned: 'at',
  code_review: 'code',
  review_requested: 'tasks',
  sla_breach: 'clock',
  sla_breach_combined: 'clock',
  risk_acceptance_expiration: 'hourglass-end',
};

/** Cuts `text` to at most `max` characters (code points), ending with "…" when cut. */
export const truncate = capText;

/**
 * The alert link: an absolute http(s) `data.url` as given; a relative one appended to `siteUrl`
 * (as DefectDojo's `get_full_url` does, so a site under a sub-path keeps it); `null` when there is
 * no URL, the scheme is not http(s) (`javascript:` links never reach the UI) or no valid absolute
 * URL results.
 */
export function resolveAlertUrl(url: string | undefined, siteUrl: string): string | null {
  const link = linkUrl(url, siteUrl);
  return link === '' ? null : new URL(link).toString();
}

function iconFor(type: string, icon: string | undefined): string {
  const given = icon?.trim() ?? '';
  if (given !== '' && Array.from(given).length <= ALERT_LIMITS.icon) return given;
  return EVENT_ICONS[type] ?? DEFAULT_ICON;
}

export function renderAlert(message: ChannelMessage, _config: AlertConfig): NewAlert | Extract<SendOutcome, { kind: 'dropped' }> {
  if (message.destination.scope !== 'personal') return { kind: 'dropped', reason: SYSTEM_SCOPE_REASON };
  const { event } = message;
  return {
    delivery_id: message.delivery_id,
    user_id: message.destination.user.id,
    title: truncate(event.data.title, ALERT_LIMITS.title),
    description: truncate(event.data.description, ALERT_LIMITS.description),
    url: resolveAlertUrl(event.data.url, message.site_url),
    icon: iconFor(event.type, event.data.icon),
    source: truncate(message.event_label, ALERT_LIMITS.source),
  };
}
