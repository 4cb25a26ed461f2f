/**
 * Warm-up before readiness (issue 15, "no cold start"): what the first events would otherwise pay
 * for is done once at start, and `/health/ready` stays red until it is done:
 *
 * - the routing snapshot is loaded and indexed (otherwise the first event waits for the whole
 *   directory to load);
 * - the PostgreSQL pool opens the connections the hot path uses at once (routing records and
 *   status reports are written by concurrent group commits), instead of connecting mid-burst, and
 *   runs the routing record and status report statements on each with empty input (nothing is
 *   written): each is prepared once per connection, and a new backend reads its catalog on first
 *   use — 13 ms for the first run of a statement on a connection, 1 ms for the next;
 * - event validation and `route()` are run over synthetic events of every catalogue type on the
 *   real snapshot (pure functions: nothing is published or written), so V8 has compiled and
 *   optimised them before the first real event.
 *
 * A failure (e.g. PostgreSQL not up yet) is logged and retried every second; readiness stays red.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_CATALOGUE, parseEvent, type Logger } from '@herald/contracts';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG, LOGGER } from '../config/tokens.js';
import { DeliveryLogRepository } from '../persistence/delivery-log.repository.js';
import { POOL_MIN_CONNECTIONS } from '../persistence/orm-config.js';
import { route, type Snapshot } from '../routing/index.js';
import type { SnapshotCache } from '../snapshot/snapshot-cache.js';
import { SNAPSHOT_CACHE } from '../snapshot/snapshot.tokens.js';

/** Time spent at most on compiling the validation and routing path, ms. */
const JIT_BUDGET_MS = 300;

@Injectable()
export class GatewayWarmUp implements OnApplicationBootstrap, OnModuleDestroy {
  private warmed = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SNAPSHOT_CACHE) private readonly cache: SnapshotCache<Snapshot>,
    private readonly deliveryLog: DeliveryLogRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** True once the warm-up finished (a readiness check). */
  get done(): boolean {
    return this.warmed;
  }

  onApplicationBootstrap(): void {
    void this.attempt();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const started = performance.now();
      await this.run();
      this.warmed = true;
      this.logger.info('warm-up done', { ms: Math.round(performance.now() - started) });
    } catch (error) {
      this.logger.warn('warm-up failed; retrying in 1 s (readiness stays red)', { error: (error as Error).message });
      this.retry = setTimeout(() => void this.attempt(), 1_000);
      this.retry.unref();
    }
  }

  /** The warm-up itself; public for tests. */
  async run(): Promise<void> {
    const [snapshot] = await Promise.all([this.cache.get(), this.deliveryLog.warmStatements(POOL_MIN_CONNECTIONS)]);
    const product = snapshot.products.values().next().value;
    const data = {
      title: 'warm-up',
      product: product ? { id: product.id, name: product.name } : { id: 'warm-up', name: 'warm-up' },
    };
    const until = performance.now() + JIT_BUDGET_MS;
    for (let round = 0; round < 50 && performance.now() < until; round++) {
      for (const type of EVENT_CATALOGUE) {
        const raw = Buffer.from(
          JSON.stringify({ specversion: '1.0', id: `warm-up-${round}`, source: 'herald-warm-up', type: type.name, data }),
        );
        const parsed = parseEvent(raw, { maxBytes: this.config.maxEventBytes, now: new Date() });
        if (parsed.ok) route(parsed.event, snapshot, { siteUrl: this.config.siteUrl, now: new Date() });
      }
    }
  }
}
