/**
 * Subject builders. Every subject Herald uses is built here from one prefix (default `herald`), so
 * a deployment — or a test file — can run beside another on the same NATS server.
 *
 * Invariant: a built subject never contains an empty token, whitespace, `*` or `>`.
 */
import { HeraldError } from './errors.js';

/** The default subject prefix. */
export const DEFAULT_SUBJECT_PREFIX = 'herald';

const TOKEN = /^[A-Za-z0-9_-]+$/;

function assertToken(value: string, what: string): string {
  if (!TOKEN.test(value)) {
    throw new HeraldError('validation_failed', `${what} "${value}" is not a valid subject token`, [
      { path: what, message: `"${value}" contains characters NATS subjects cannot carry`, expected: 'letters, digits, "_" or "-"' },
    ]);
  }
  return value;
}

function assertPrefix(prefix: string): string {
  for (const token of prefix.split('.')) assertToken(token, 'subject prefix');
  return prefix;
}

/** Dead-letter stages: where in the pipeline a message was given up on. */
export type DeadLetterStage = 'ingest' | 'route' | 'deliver';

export interface Subjects {
  readonly prefix: string;
  /** `herald.events.<type>`: inbound domain events. */
  event(type: string): string;
  /** `herald.events.>`: everything the events stream captures by default. */
  readonly allEvents: string;
  /** `herald.directory.<kind>.<action>`, e.g. `herald.directory.user.upserted`. */
  directory(kind: string, action: string): string;
  readonly allDirectory: string;
  /** `herald.deliver.<channel>`: channel messages for one plugin. */
  deliver(channel: string): string;
  readonly allDeliver: string;
  /** `herald.status.<channel>`: delivery status reports. */
  status(channel: string): string;
  readonly allStatus: string;
  /** `herald.dead.events`: inbound events that failed validation (SPEC §2.1). */
  readonly deadEvents: string;
  /** `herald.dead.<stage>.<target>`: messages given up on after they were accepted. */
  dead(stage: DeadLetterStage, target: string): string;
  readonly allDead: string;
  /** `herald.commands.<service>.<verb>`: commands Herald sends to owning services. */
  command(resource: string, verb: string): string;
  /** `herald.internal.<topic>`: gateway-to-gateway coordination (cache invalidation). */
  internal(topic: string): string;
}

/** Builds the subject set for a prefix (default `herald`). */
export function subjects(prefix: string = DEFAULT_SUBJECT_PREFIX): Subjects {
  const p = assertPrefix(prefix);
  return {
    prefix: p,
    event: (type) => `${p}.events.${assertToken(type, 'event type')}`,
    allEvents: `${p}.events.>`,
    directory: (kind, action) => `${p}.directory.${assertToken(kind, 'directory kind')}.${assertToken(action, 'directory action')}`,
    allDirectory: `${p}.directory.>`,
    deliver: (channel) => `${p}.deliver.${assertToken(channel, 'channel')}`,
    allDeliver: `${p}.deliver.>`,
    status: (channel) => `${p}.status.${assertToken(channel, 'channel')}`,
    allStatus: `${p}.status.>`,
    deadEvents: `${p}.dead.events`,
    dead: (stage, target) => `${p}.dead.${stage}.${assertToken(target, 'dead-letter target')}`,
    allDead: `${p}.dead.>`,
    command: (resource, verb) => `${p}.commands.${assertToken(resource, 'command resource')}.${assertToken(verb, 'command verb')}`,
    internal: (topic) => `${p}.internal.${assertToken(topic, 'internal topic')}`,
  };
}
