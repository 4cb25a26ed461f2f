/**
 * The sentences routing writes into decisions. Kept in one place so that operators, the API
 * documentation and tests read the same words. Each is a complete statement of fact about one
 * event, never a stack trace or a code.
 */
import type { RowSource } from './decision.js';

export const reasons = {
  alertOnly: 'alert_only: only the alert channel is used',
  systemOnly: (channel: string) => `${channel} is system-scope only`,
  disabled: (channel: string) => `channel ${channel} is disabled`,
  notConfigured: (channel: string) => `channel ${channel} is not configured`,
  noSystemDestination: (channel: string) => `channel ${channel} has no system destination configured`,
  noActiveSuperuser: 'no active superuser to receive the system alert',
  alreadySystemAlert: 'already receives the system alert',
  noEmail: 'user has no email address',
  alreadySystemMail: (address: string) => `already receives the system mail at ${address}`,
  alreadyUserMail: (address: string, username: string) => `already receives the mail sent to ${address} for user ${username}`,
  noChannel: (sources: readonly RowSource[], column: string) => `${listSources(sources)} settings have no channel for ${column}`,
  inactive: 'user is inactive',
  unknownUsername: (username: string) => `unknown username ${username}`,
  recipientsPath: 'the event names its recipients: the system pass does not run',
  emptyRecipients: 'the recipients list is empty: nothing is sent',
  noUsers: 'no_users: only the system pass runs',
  /** A channel whose only contributing rows were turned away by their filters (SPEC §3.6). */
  filtered: (row: RowSource, reason: string) => `${row} filter: ${reason}`,
  allFiltered: 'every channel was filtered out by the settings filters',
  /** Quiet hours (SPEC §3.6 step 3): `until` is `HH:MM <time zone>`. */
  deferred: (until: string) => `deferred until ${until}`,
  /** Digests (SPEC §3.6 step 4); `due` is `HH:MM <time zone>`, `deferred` the quiet hours' end when they deferred it first. */
  digested: (schedule: string, due: string, deferred?: string) =>
    `${deferred === undefined ? '' : `deferred until ${deferred}, then `}collected into the ${schedule} digest due at ${due}`,
} as const;

function listSources(sources: readonly RowSource[]): string {
  // Stryker disable next-line StringLiteral: unreachable — route() always lists the personal row, so `sources[0]` exists.
  if (sources.length <= 1) return sources[0] ?? 'personal';
  // Stryker disable next-line StringLiteral: unreachable — with two or more sources `at(-1)` exists.
  return `${sources.slice(0, -1).join(', ')} and ${sources.at(-1) ?? ''}`;
}
