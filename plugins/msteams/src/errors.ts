/**
 * Teams webhook response / error → outcome, after the Standard Webhooks table (STYLE): 2xx
 * delivered; 3xx failed (redirects are not followed: the URL is a credential and must not be
 * forwarded); 408, 429 and 5xx retried, honouring `Retry-After`; other 4xx failed (the URL is
 * wrong, deleted or the card was refused: sending again gives the same answer). Network errors and
 * timeouts retry.
 */
import { outcomes, parseRetryAfter, type SendOutcome } from '@herald/contracts';

export function classifyTeamsResponse(statusCode: number, retryAfter: string | undefined, body: string): SendOutcome {
  const excerpt = body.length > 200 ? `${body.slice(0, 200)}…` : body;
  const detail = `Teams answered HTTP ${statusCode}${excerpt === '' ? '' : `: ${excerpt}`}`;
  if (statusCode >= 200 && statusCode < 300) return outcomes.delivered(`Teams answered HTTP ${statusCode}`);
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) return outcomes.retry(detail, parseRetryAfter(retryAfter));
  if (statusCode >= 300 && statusCode < 400) return outcomes.failed(`${detail} (redirects are not followed; configure the final URL)`);
  return outcomes.failed(detail);
}

/** Thrown by the transport: connection refused, DNS, TLS, timeout — all transient. */
export function classifyTeamsError(error: unknown): SendOutcome {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? `${e.code}: ` : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  return outcomes.retry(`Teams request failed: ${code}${message}`);
}
