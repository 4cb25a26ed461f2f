/**
 * Pure reading of stored channel settings for routing: whether a channel has somewhere to send
 * system-scope messages (SPEC §3.2, §9 "enabled channels without a destination"), and the system
 * mail recipients. Sealed secrets count as present; nothing here decrypts.
 */

/** `"a@x.org, B@y.org,"` → `["a@x.org", "b@y.org"]`: trimmed, lower-cased, empties dropped, no repeats. */
export function parseMailRecipients(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const addresses = value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0);
  return [...new Set(addresses)];
}

function present(value: unknown): boolean {
  return typeof value === 'string' && value.trim().length > 0;
}

/**
 * mail → at least one system address; slack → token and channel; msteams → a URL; webhooks and
 * alert → always (webhooks knows its endpoints, alert expands to superusers); third-party channels
 * → always (their plugin decides).
 */
export function hasSystemDestination(channel: string, settings: Readonly<Record<string, unknown>>): boolean {
  switch (channel) {
    case 'mail':
      return parseMailRecipients(settings['mail_notifications_to']).length > 0;
    case 'slack':
      return present(settings['token']) && present(settings['channel']);
    case 'msteams':
      return present(settings['url']);
    default:
      return true;
  }
}
