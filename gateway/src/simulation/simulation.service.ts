/**
 * Simulation (SPEC §3.6): what routing would do with an event now — the same validation as ingest,
 * the same cached snapshot and the same pure `route()` — publishing nothing and writing nothing.
 * An admin may simulate for everyone or for one user; a user token only for itself.
 */
import { formatIssues, parseEvent, type Identity, type ValidationIssue } from '@herald/contracts';
import { Inject, Injectable } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway-config.js';
import { CLOCK, GATEWAY_CONFIG } from '../config/tokens.js';
import { ApiError } from '../http/error.filter.js';
import { route, type Snapshot } from '../routing/index.js';
import type { Clock } from '../scheduler/clock.js';
import { SNAPSHOT_CACHE } from '../snapshot/snapshot.tokens.js';
import type { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { simulationResult, type SimulatedUser, type SimulationResult } from './restrict.js';

export interface SimulationRequest {
  /** The event, exactly as it would be published. */
  readonly event: unknown;
  /** Restrict the result to this user (admin only; a user token is always restricted to itself). */
  readonly username?: string | undefined;
}

@Injectable()
export class SimulationService {
  constructor(
    @Inject(SNAPSHOT_CACHE) private readonly cache: SnapshotCache<Snapshot>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async simulate(request: SimulationRequest, identity: Identity): Promise<SimulationResult> {
    const now = this.clock.now();
    // the serialised event, as ingest receives it: the same size limit and the same rules
    const parsed = parseEvent(JSON.stringify(request.event ?? null), { maxBytes: this.config.maxEventBytes, now });
    if (!parsed.ok) {
      const issues: ValidationIssue[] = parsed.issues.map((issue) => ({
        ...issue,
        path: issue.path === '' ? 'event' : `event.${issue.path}`,
      }));
      throw new ApiError(400, 'validation_failed', `Invalid event: ${formatIssues(issues)}`, issues);
    }
    const snapshot = await this.cache.get();
    const user = this.subject(request.username, identity, snapshot);
    const result = route(parsed.event, snapshot, { siteUrl: this.config.siteUrl, now });
    return simulationResult(result, now, user);
  }

  /** The user the result is restricted to, or `null` for all of it. */
  private subject(username: string | undefined, identity: Identity, snapshot: Snapshot): SimulatedUser | null {
    if (identity.kind === 'admin') {
      if (username === undefined) return null;
      const user = snapshot.usersByUsername.get(username);
      if (user === undefined) {
        throw new ApiError(404, 'not_found', `No user with username "${username}": check the name (GET /api/v1/users/{id} shows a user)`);
      }
      return { id: user.id, username: user.username };
    }
    const self = snapshot.usersById.get(identity.userId);
    if (self === undefined) throw new ApiError(404, 'not_found', `User ${identity.userId} of this token is not in the directory`);
    if (username !== undefined && username !== self.username) {
      throw new ApiError(
        403,
        'forbidden',
        `A user token can only simulate for its own user (${self.username}); leave "username" out or use an admin token`,
      );
    }
    return { id: self.id, username: self.username };
  }
}
