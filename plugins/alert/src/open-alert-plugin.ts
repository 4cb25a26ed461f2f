/**
 * Everything the alert channel needs, assembled over a pool and a NATS connection owned by the
 * caller: migrations applied, store, live hub, plugin definition, retention responder. Used by
 * `main.ts` and by the all-in-one process, which passes the pool it shares with the gateway.
 * `close()` ends open alert streams and NATS subscriptions; it never closes the pool or the
 * connection (the caller's).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_SUBJECT_PREFIX, type Logger, type PluginDefinition } from '@herald/contracts';
import { runSqlMigrations } from '@herald/plugin-storage';
import type { NewAlert } from './alert.js';
import { AlertStore, type AlertDatabase } from './alert-store.js';
import type { AlertConfig } from './config.js';
import { NatsLiveAlerts, type LiveAlerts } from './live-alerts.js';
import { ALERT_MIGRATIONS, ALERT_SCHEMA } from './migrations.js';
import { createAlertPlugin } from './plugin.js';
import { serveRetentionRequests } from './retention.js';

export interface OpenAlertPluginOptions {
  /** `pg.Pool` over PostgreSQL or PGlite; the alert plugin uses schema `alerts`. */
  readonly pool: AlertDatabase;
  readonly nc: NatsConnection;
  /** Subject prefix. @default "herald" */
  readonly prefix?: string;
  readonly logger: Logger;
  /** Alerts kept per user by retention (`HERALD_MAX_ALERTS_PER_USER`); -1 keeps all. @default 999 */
  readonly maxAlertsPerUser?: number;
  /** Interval between SSE heartbeat comments, ms. @default 15000 */
  readonly heartbeatMs?: number;
}

export interface OpenedAlertPlugin {
  readonly plugin: PluginDefinition<AlertConfig, NewAlert>;
  readonly store: AlertStore;
  readonly live: LiveAlerts;
  /** Applies retention with the configured maximum; returns the number of alerts deleted. */
  applyRetention(): Promise<number>;
  close(): void;
}

export async function openAlertPlugin(options: OpenAlertPluginOptions): Promise<OpenedAlertPlugin> {
  const prefix = options.prefix ?? DEFAULT_SUBJECT_PREFIX;
  const maxAlertsPerUser = options.maxAlertsPerUser ?? 999;
  const logger = options.logger.child({ channel: 'alert' });
  const applied = await runSqlMigrations(options.pool, ALERT_SCHEMA, ALERT_MIGRATIONS);
  if (applied.length > 0) logger.info('alert migrations applied', { migrations: applied });
  const store = new AlertStore(options.pool);
  const live = new NatsLiveAlerts(options.nc, prefix, logger);
  const shutdown = new AbortController();
  const plugin = createAlertPlugin({
    store,
    live,
    signal: shutdown.signal,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
  const retention = serveRetentionRequests(options.nc, prefix, store, maxAlertsPerUser, logger);
  return {
    plugin,
    store,
    live,
    applyRetention: () => store.applyRetention(maxAlertsPerUser),
    close: () => {
      shutdown.abort();
      retention.unsubscribe();
      live.close();
    },
  };
}
