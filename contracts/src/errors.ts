/**
 * Errors that cross a package boundary carry a stable `code`. Callers branch on `code`, never on
 * `instanceof`, because gateway and plugins may load different copies of this module.
 */

/** One problem found in an input: where, what is wrong, and the form that was expected. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `data.recipients[1]`; `""` for the whole input. */
  readonly path: string;
  /** What is wrong, in words an operator understands. */
  readonly message: string;
  /** The expected form, when one can be stated ("an array of usernames (strings)"). */
  readonly expected?: string;
}

export type HeraldErrorCode =
  'validation_failed' | 'invalid_configuration' | 'event_too_large' | 'malformed_json' | 'unknown_channel' | 'infrastructure_unavailable';

export class HeraldError extends Error {
  constructor(
    readonly code: HeraldErrorCode,
    message: string,
    readonly details: readonly ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'HeraldError';
  }
}

/** Formats issues as one line each: `path: message (expected …)`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path === '' ? '(root)' : i.path}: ${i.message}${i.expected ? ` (expected ${i.expected})` : ''}`).join('; ');
}

/** True when `value` looks like a HeraldError with the given code, whichever copy created it. */
export function hasErrorCode(value: unknown, code: HeraldErrorCode): value is HeraldError {
  return typeof value === 'object' && value !== null && (value as { code?: unknown }).code === code;
}
