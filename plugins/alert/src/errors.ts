/**
 * Store error → outcome (the `classifyError` of the alert plugin). One rule, by SQLSTATE class
 * (branching on `code`, never on `instanceof`, since the pool may be PostgreSQL or PGlite):
 * - class 22 (data exception, e.g. a value too long) and 23 (integrity constraint, e.g. a failed
 *   check) are permanent: the same message fails the same way every time → `failed`;
 * - everything else is transient → `retry`: connection errors (class 08, ECONNREFUSED/ECONNRESET/
 *   ETIMEDOUT, pool timeouts, "Connection terminated"), serialization failures and deadlocks
 *   (class 40), server shutdown or overload (classes 53, 57), and unknown errors (the SDK's rule).
 */
import { outcomes, type SendOutcome } from '@herald/contracts';

const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23']);

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** The SQLSTATE of a database error, when it carries one (`pg` and PGlite both set `code`). */
function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function classifyAlertError(error: unknown): SendOutcome {
  const state = sqlState(error);
  const reason = `alert store: ${messageOf(error)}${state === undefined ? '' : ` (SQLSTATE ${state})`}`;
  if (state !== undefined && PERMANENT_SQLSTATE_CLASSES.has(state.slice(0, 2))) return outcomes.failed(reason);
  return outcomes.retry(reason);
}
