/**
 * The event catalogue (SPEC §2.2): every event type that has its own preference column, its label,
 * default channels and whether product rows may set it. Events outside the catalogue use `other`.
 */

export interface EventTypeDefinition {
  /** Column name, `[a-z0-9_]+`. */
  readonly name: string;
  /** Human label; used as the alert `source`. */
  readonly label: string;
  /** Channels of a row that does not set this column. */
  readonly defaultChannels: readonly string[];
  /** Whether a per-product settings row may set this column. */
  readonly productScoped: boolean;
}

const PRODUCT_SCOPED = new Set([
  'engagement_added',
  'close_engagement',
  'test_added',
  'scan_added',
  'scan_added_empty',
  'sla_breach',
  'sla_breach_combined',
  'risk_acceptance_expiration',
]);

const LABELS: ReadonlyArray<readonly [string, string]> = [
  ['product_type_added', 'Product Type Added'],
  ['product_added', 'Product Added'],
  ['engagement_added', 'Engagement Added'],
  ['test_added', 'Test Added'],
  ['scan_added', 'Scan Added'],
  ['scan_added_empty', 'Scan Added Empty'],
  ['jira_update', 'JIRA Update'],
  ['upcoming_engagement', 'Upcoming Engagement'],
  ['stale_engagement', 'Stale Engagement'],
  ['auto_close_engagement', 'Auto Close Engagement'],
  ['close_engagement', 'Close Engagement'],
  ['user_mentioned', 'User Mentioned'],
  ['code_review', 'Code Review'],
  ['review_requested', 'Review Requested'],
  ['other', 'Other'],
  ['sla_breach', 'SLA Breach'],
  ['sla_breach_combined', 'SLA Breach (Combined)'],
  ['risk_acceptance_expiration', 'Risk Acceptance Expiration'],
];

/** The built-in catalogue, in DefectDojo's column order. */
export const EVENT_CATALOGUE: readonly EventTypeDefinition[] = LABELS.map(([name, label]) => ({
  name,
  label,
  defaultChannels: name === 'scan_added_empty' ? [] : ['alert'],
  productScoped: PRODUCT_SCOPED.has(name),
}));

/** The column every event type without its own column is routed by. */
export const OTHER_EVENT = 'other';

/**
 * Event names routed by another column. DefectDojo routes `engagement_closed` by `other`, leaving
 * `close_engagement` dead; Herald routes it by `close_engagement`.
 */
export const EVENT_COLUMN_ALIASES: Readonly<Record<string, string>> = {
  engagement_closed: 'close_engagement',
};

/** Event type names: lowercase letters, digits and underscores. */
export const EVENT_NAME_PATTERN = /^[a-z0-9_]+$/;

/** "scan_added" → "Scan Added"; "dummy_foo_event" → "Dummy Foo Event". */
export function humanise(eventName: string): string {
  return eventName
    .split('_')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}
