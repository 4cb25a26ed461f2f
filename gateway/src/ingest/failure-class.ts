/**
 * Sorts a failure met while routing or publishing an event into `permanent` (the same event can
 * never succeed: dead-letter it at once with the reason) or `transient` (infrastructure that will
 * come back: retry with backoff). The one rule, in order:
 *
 * - Programming-level errors raised by the data itself — `RangeError` (e.g. call stack exceeded),
 *   `TypeError`, `SyntaxError` — are permanent.
 * - NATS refusing the message itself is permanent: a payload over the server's `max_payload`, a
 *   header the protocol cannot carry (`InvalidArgumentError`), a JetStream API error 10054
 *   (message larger than the stream allows).
 * - PostgreSQL SQLSTATE class 22 (data exception, e.g. 22021 invalid byte sequence, 22P05
 *   untranslatable character) and 23 (integrity constraint) are permanent: the row can never be
 *   stored.
 * - Everything else — connection loss, timeouts, no responders, permission changes, SQLSTATE
 *   08/40/53/57 — is transient. Unknown errors are transient: retried, and dead-lettered only
 *   after the consumer's last allowed delivery.
 */
export type FailureClass = 'permanent' | 'transient';

/** JetStream: "message size exceeds maximum allowed". */
const JS_MESSAGE_TOO_LARGE = 10054;

function field(error: object, key: string): unknown {
  return (error as Record<string, unknown>)[key];
}

export function classifyFailure(error: unknown, depth = 0): FailureClass {
  if (depth > 5 || error === null || typeof error !== 'object') return 'transient';
  if (error instanceof RangeError || error instanceof TypeError || error instanceof SyntaxError) return 'permanent';
  const name = field(error, 'name');
  if (name === 'InvalidArgumentError') return 'permanent';
  if (name === 'JetStreamApiError' && field(error, 'code') === JS_MESSAGE_TOO_LARGE) return 'permanent';
  const sqlState = field(error, 'code');
  if (typeof sqlState === 'string' && /^2[23][0-9A-Z]{3}$/.test(sqlState)) return 'permanent';
  const cause = field(error, 'cause');
  if (cause !== undefined && cause !== error) return classifyFailure(cause, depth + 1);
  return 'transient';
}

/** A one-line reason for logs and dead letters. */
export function failureReason(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
