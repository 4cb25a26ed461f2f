/**
 * Slack Web API error → outcome. Success is the response's `ok` field only (the client throws a
 * platform error exactly when `ok` is false). Rate limits (HTTP 429) retry after `Retry-After`;
 * `ok:false` codes Slack documents as transient retry; every other `ok:false` code (bad token,
 * unknown channel, bot not in channel, malformed blocks, …) is permanent, because sending the same
 * request again gives the same answer. Network errors and HTTP 5xx retry. Branches on `code`, never
 * on `instanceof` (STYLE).
 */
import { outcomes, type SendOutcome } from '@herald/contracts';

/** `ok:false` error codes worth retrying. */
export const TRANSIENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

interface SlackErrorShape {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly retryAfter?: unknown;
  readonly statusCode?: unknown;
  readonly data?: { readonly error?: unknown };
  readonly original?: { readonly message?: unknown };
}

export function classifySlackError(error: unknown): SendOutcome {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SlackErrorShape;
  const message = typeof e.message === 'string' ? e.message : String(error);
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': {
      const seconds = typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : 1;
      return outcomes.retry(`Slack rate limit (HTTP 429), retry after ${seconds} s`, seconds * 1000);
    }
    case 'slack_webapi_platform_error': {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      return TRANSIENT_SLACK_ERRORS.has(code) ? outcomes.retry(`Slack API error ${code}`) : outcomes.failed(`Slack API error ${code}`);
    }
    case 'slack_webapi_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      return status >= 500 || status === 408 || status === 0
        ? outcomes.retry(`Slack HTTP ${status}`)
        : outcomes.failed(`Slack HTTP ${status}`);
    }
    case 'slack_webapi_request_error': {
      const cause = typeof e.original?.message === 'string' ? e.original.message : message;
      return outcomes.retry(`Slack request failed: ${cause}`);
    }
    default:
      return outcomes.retry(message);
  }
}
