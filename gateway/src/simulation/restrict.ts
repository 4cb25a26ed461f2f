/**
 * What a simulation shows to one user (SPEC §3.6, `POST /api/v1/events/simulate`): only that
 * user's deliveries (their personal ones, the system alert expanded to them included) and their
 * own decision, plus the pass-level notes that concern every user (`no_users`, an empty
 * recipients list). Invariant: nothing about other users or the system destinations is left in.
 * Pure.
 */
import type { Decision, PlannedDelivery, RouteResult } from '../routing/index.js';

export interface SimulatedUser {
  readonly id: string;
  readonly username: string;
}

export interface SimulationResult {
  /** The preference column that routes the event (`other` for unknown types). */
  readonly column: string;
  /** The time the simulation routed at (RFC 3339). */
  readonly simulated_at: string;
  /** The user the result is restricted to; `null` for the whole result (admin, no `username`). */
  readonly user: SimulatedUser | null;
  /** With `user`: whether routing considered the user at all (a subscriber, a superuser or a listed recipient). */
  readonly candidate?: boolean;
  readonly deliveries: readonly PlannedDelivery[];
  readonly decisions: readonly Decision[];
}

export function simulationResult(result: RouteResult, now: Date, user: SimulatedUser | null): SimulationResult {
  const base = { column: result.column, simulated_at: now.toISOString() };
  if (user === null) return { ...base, user: null, deliveries: result.deliveries, decisions: result.decisions };
  const decisions = result.decisions.filter(
    (decision) =>
      (decision.scope === 'user' && decision.user_id === user.id) ||
      (decision.scope === 'recipient' && decision.username === user.username) ||
      decision.scope === 'users',
  );
  return {
    ...base,
    user,
    candidate: decisions.some((decision) => decision.scope === 'user'),
    deliveries: result.deliveries.filter(
      (delivery) => delivery.destination.scope === 'personal' && delivery.destination.user.id === user.id,
    ),
    decisions,
  };
}
