/**
 * SMTP / transport error → outcome. SMTP reply codes decide when the server gave one: 4xx is
 * transient (greylisting, mailbox busy, rate limits) → retry; 5xx is permanent (unknown user,
 * refused sender, bad credentials) → failed. Without a reply code: connection, timeout, DNS and
 * TLS problems are retried; a malformed envelope or message is permanent; anything else is retried.
 */
import { outcomes, type SendOutcome } from '@herald/contracts';

const RETRIED_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EMAXLIMIT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
]);
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EAUTH', 'ENOAUTH', 'EMAXRECIPIENTS', 'EREQUIRETLS']);

export function classifyMailError(error: unknown): SendOutcome {
  const record = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
    message?: unknown;
  };
  const message = typeof record.message === 'string' ? record.message : String(error);
  const code = typeof record.code === 'string' ? record.code : undefined;
  const responseCode = typeof record.responseCode === 'number' ? record.responseCode : undefined;
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return outcomes.retry(`SMTP ${responseCode}: ${message}`);
  if (responseCode !== undefined && responseCode >= 500) return outcomes.failed(`SMTP ${responseCode}: ${message}`);
  if (code !== undefined && RETRIED_CODES.has(code)) return outcomes.retry(`${code}: ${message}`);
  if (code !== undefined && PERMANENT_CODES.has(code)) return outcomes.failed(`${code}: ${message}`);
  return outcomes.retry(code === undefined ? message : `${code}: ${message}`);
}
