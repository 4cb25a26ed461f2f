/**
 * The webhooks channel plugin (SPEC §5 webhooks): renders a channel message into DefectDojo's
 * webhook body, fans it out to the destination's endpoints (see `dispatcher.ts`) and serves the
 * endpoint API. A factory, because the plugin holds resources (the store); the definition it
 * returns is a plain value for `runPlugin`.
 */
import { definePlugin, outcomes, type PluginDefinition, type Cidr } from '@herald/contracts';
import { createWebhooksApi } from './api.js';
import type { Clock } from './clock.js';
import { DEFAULT_WEBHOOKS_CONFIG, webhooksConfigSchema, type WebhooksConfig } from './config.js';
import type { WebhookDispatcher } from './dispatcher.js';
import type { EndpointStore } from './endpoint-store.js';
import { renderMessage, type WebhookRequest } from './render.js';
import type { Resolver } from './transport.js';
import { warmUpWebhooks } from './warm-up.js';

/** Version announced in the registry and sent as `User-Agent: Herald/<version>`. */
export const WEBHOOKS_PLUGIN_VERSION = '0.1.0';

/**
 * The webhooks channel as the registry sees it (SPEC §2.5): name, version, settings schema.
 * Spread into the plugin's `definePlugin`; the gateway validates and seals the channel's
 * configuration from the registration built from exactly this.
 */
export const WEBHOOKS_CHANNEL = {
  channel: 'webhooks',
  version: WEBHOOKS_PLUGIN_VERSION,
  configSchema: webhooksConfigSchema,
} as const;

export interface WebhooksPluginOptions {
  readonly store: EndpointStore;
  readonly dispatcher: WebhookDispatcher;
  readonly clock: Clock;
  /** `X-Herald-Instance` of pings (`HERALD_SITE_URL`). */
  readonly siteUrl: string;
  readonly allow: readonly Cidr[];
  readonly resolver: Resolver;
}

export function createWebhooksPlugin(options: WebhooksPluginOptions): PluginDefinition<WebhooksConfig, WebhookRequest> {
  return definePlugin({
    ...WEBHOOKS_CHANNEL,
    // A dropped message (inactive endpoint, waited too long, no endpoint) can be replayed (SPEC §5).
    deadLetterDropped: true,
    // The dispatcher records each endpoint's outcome per delivery before `send` returns and never
    // POSTs a delivery again to an endpoint that has it: the SDK's ledger would be a second record.
    idempotentSend: true,
    render: (message) => renderMessage(message),
    // the endpoint store's statements prepared on its connections (writing nothing), and render,
    // sign and POST compiled before the first message (to a local server of its own)
    warmUp: async () => {
      await options.store.warmStatements();
      await warmUpWebhooks(options.dispatcher);
    },
    send: (request, context) =>
      options.dispatcher.deliver(context.message, request, context.config.timeout_seconds * 1_000, context.signal, context.messageId),
    // Only the endpoint store can throw (HTTP failures are outcomes): a database hiccup is transient.
    classifyError: (error) => outcomes.retry(`webhooks endpoint store: ${error instanceof Error ? error.message : String(error)}`),
    http: (context) =>
      createWebhooksApi({
        store: options.store,
        dispatcher: options.dispatcher,
        clock: options.clock,
        logger: context.logger,
        siteUrl: options.siteUrl,
        allow: options.allow,
        resolver: options.resolver,
        timeoutMs: () => (context.config?.()?.timeout_seconds ?? DEFAULT_WEBHOOKS_CONFIG.timeout_seconds) * 1_000,
        authenticate: (authorization) => context.authenticate(authorization),
      }),
  });
}
