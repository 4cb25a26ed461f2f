/**
 * Errors and the one rule that turns a webhook attempt into "accepted", "temporary" or "permanent".
 *
 * The rule is DefectDojo's, checked against the Standard Webhooks status table:
 * - 2xx → accepted (changes nothing);
 * - 5xx, 429 and timeouts → temporary (the endpoint goes `inactive_tmp`);
 * - every other status (1xx, 3xx — redirects are not followed —, 4xx including 410) and every
 *   connection, DNS or TLS error, and a target refused by the SSRF guard → permanent
 *   (`inactive_permanent`).
 * Notes use DefectDojo's wording: "Response status code: 500".
 */
import type { ValidationIssue } from '@herald/contracts';

export type WebhookErrorCode =
  /** Bad input from the API: name the field in `details`. */
  | 'validation_failed'
  /** The URL's host resolves to an address the SSRF guard refuses. */
  | 'unsafe_target'
  /** A bad environment variable or channel setting. */
  | 'invalid_configuration'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthorized'
  /** The ping sent when an endpoint is created did not get a 2xx. */
  | 'ping_failed'
  /** The gateway could not be asked who a token belongs to. */
  | 'auth_unavailable';

export class WebhookError extends Error {
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    readonly details: readonly ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

/** What one HTTP attempt produced (the transport's answer). */
export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfterMs?: number }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** Connection refused or reset, TLS failure, DNS failure, refused by the SSRF guard, … */
  | { readonly kind: 'error'; readonly message: string };

export type AttemptVerdict =
  | { readonly kind: 'accepted'; readonly status: number }
  | { readonly kind: 'temporary'; readonly note: string; readonly retryAfterMs?: number }
  | { readonly kind: 'permanent'; readonly note: string };

/** Applies the rule above. */
export function classifyAttempt(result: AttemptResult): AttemptVerdict {
  switch (result.kind) {
    case 'response': {
      const note = `Response status code: ${result.status}`;
      if (result.status >= 200 && result.status < 300) return { kind: 'accepted', status: result.status };
      if (result.status === 429 || (result.status >= 500 && result.status < 600)) {
        return result.retryAfterMs === undefined
          ? { kind: 'temporary', note }
          : { kind: 'temporary', note, retryAfterMs: result.retryAfterMs };
      }
      return { kind: 'permanent', note };
    }
    case 'timeout':
      return { kind: 'temporary', note: `Timeout: no response within ${result.timeoutMs} ms` };
    case 'error':
      return { kind: 'permanent', note: `Exception: ${result.message}`.slice(0, 1_000) };
  }
}
