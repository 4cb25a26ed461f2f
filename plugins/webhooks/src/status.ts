/**
 * The endpoint status machine, exactly DefectDojo's (SPEC §5). Pure: state + what happened + now →
 * the new state. Invariants:
 * - `active` / `active_tmp` receive messages; `inactive_tmp` / `inactive_permanent` do not.
 * - a 2xx changes nothing (not even on `active_tmp`: only the sweep promotes it);
 * - a temporary failure → `inactive_tmp`, unless the first error of the streak is more than 24 h
 *   old → `inactive_permanent`; a permanent failure → `inactive_permanent`;
 * - `first_error` is kept across a streak (set once), `last_error` is the latest failure;
 * - `inactive_tmp` goes back to `active_tmp` 60 s after its last error (the sweep also does it
 *   after 5 min, for endpoints no message touched); `active_tmp` with no error for 24 h → `active`
 *   with the errors cleared and the note "Reactivation from active_tmp";
 * - a failure never lifts an endpoint out of `inactive_permanent`.
 */

export const ENDPOINT_STATUSES = ['active', 'active_tmp', 'inactive_tmp', 'inactive_permanent'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

export interface StatusState {
  readonly status: EndpointStatus;
  readonly first_error: Date | null;
  readonly last_error: Date | null;
  readonly note: string | null;
}

/** inactive_tmp → active_tmp after this long since the last error. */
export const REACTIVATION_DELAY_MS = 60_000;
/** A temporary failure later than this after the first error makes the endpoint permanent. */
export const TEMPORARY_WINDOW_MS = 24 * 60 * 60 * 1_000;
/** The sweep promotes active_tmp with no error for this long. */
export const ACTIVE_TMP_CLEAN_MS = 24 * 60 * 60 * 1_000;
/** The sweep reactivates inactive_tmp whose last error is older than this. */
export const SWEEP_REACTIVATION_MS = 5 * 60 * 1_000;

export const ACTIVE_TMP_PROMOTION_NOTE = 'Reactivation from active_tmp';

export function isReceiving(status: EndpointStatus): boolean {
  return status === 'active' || status === 'active_tmp';
}

/** The state after a failed attempt. */
export function afterFailure(state: StatusState, kind: 'temporary' | 'permanent', note: string, now: Date): StatusState {
  const firstError = state.first_error ?? now;
  let status: EndpointStatus = kind === 'temporary' ? 'inactive_tmp' : 'inactive_permanent';
  if (status === 'inactive_tmp' && now.getTime() - firstError.getTime() > TEMPORARY_WINDOW_MS) status = 'inactive_permanent';
  if (state.status === 'inactive_permanent') status = 'inactive_permanent';
  return { status, first_error: firstError, last_error: now, note };
}

/** Whether an `inactive_tmp` endpoint is due back to `active_tmp` at `now`. */
export function reactivationDue(state: StatusState, now: Date, delayMs = REACTIVATION_DELAY_MS): boolean {
  if (state.status !== 'inactive_tmp') return false;
  if (state.last_error === null) return true;
  return now.getTime() - state.last_error.getTime() >= delayMs;
}

/** When an `inactive_tmp` endpoint will be back (ms from now, ≥ 0). */
export function msUntilReactivation(state: StatusState, now: Date): number {
  if (state.status !== 'inactive_tmp' || state.last_error === null) return 0;
  return Math.max(0, state.last_error.getTime() + REACTIVATION_DELAY_MS - now.getTime());
}
