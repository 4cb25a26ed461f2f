/**
 * The alert channel plugin (SPEC §5 alert): renders a personal channel message into an alert row,
 * stores it idempotently and announces it to live streams; serves the alerts API.
 * A factory, because the plugin holds resources (the store, the live hub); the definition it
 * returns is a plain value for `runPlugin`.
 */
import { definePlugin, outcomes, type PluginDefinition } from '@herald/contracts';
import type { NewAlert } from './alert.js';
import type { AlertStore } from './alert-store.js';
import { alertConfigSchema, type AlertConfig } from './config.js';
import { classifyAlertError } from './errors.js';
import { createAlertsRouter } from './http/alerts-router.js';
import type { LiveAlerts } from './live-alerts.js';
import { renderAlert } from './render.js';
import { AlertTransport } from './transport.js';

/** Version announced in the plugin registry. */
export const ALERT_PLUGIN_VERSION = '0.1.0';

/**
 * The alert channel as the registry sees it (SPEC §2.5): name, version, settings schema.
 * Spread into the plugin's `definePlugin`; the gateway validates and seals the channel's
 * configuration from the registration built from exactly this.
 */
export const ALERT_CHANNEL = {
  channel: 'alert',
  version: ALERT_PLUGIN_VERSION,
  configSchema: alertConfigSchema,
} as const;

export interface AlertPluginOptions {
  readonly store: AlertStore;
  readonly live: LiveAlerts;
  /** Interval between SSE heartbeat comments, ms. @default 15000 */
  readonly heartbeatMs?: number;
  /** When aborted, open alert streams end (shutdown). */
  readonly signal?: AbortSignal;
}

export function createAlertPlugin(options: AlertPluginOptions): PluginDefinition<AlertConfig, NewAlert> {
  const transport = new AlertTransport(options.store, options.live);
  return definePlugin({
    ...ALERT_CHANNEL,
    // The store inserts once per delivery_id (`on conflict do nothing`) and a repeated send answers
    // "already stored": the SDK's delivery ledger would be a second record of the same fact.
    idempotentSend: true,
    render: renderAlert,
    async send(alert) {
      const { created, alert: stored } = await transport.deliver(alert);
      return outcomes.delivered(created ? `alert ${stored.id} stored` : `alert ${stored.id} already stored (redelivery)`);
    },
    classifyError: classifyAlertError,
    http: (context) =>
      createAlertsRouter({
        store: options.store,
        live: options.live,
        context,
        ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
  });
}
