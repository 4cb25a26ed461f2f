/** The webhooks plugin as a library (all-in-one process, embedding): no side effects on import. */
export {
  DEFAULT_WEBHOOKS_CONFIG,
  DEFAULT_WEBHOOKS_HTTP_PORT,
  loadWebhooksEnv,
  WEBHOOKS_ENV_VARIABLES,
  type WebhooksEnv,
} from './config.js';
export { openWebhooksDatabase } from './database.js';
export { openWebhooksPlugin, type OpenedWebhooksPlugin, type OpenWebhooksPluginOptions } from './open-webhooks-plugin.js';
export { WEBHOOKS_API, endpointViewSchema } from './api-operations.js';
export { WEBHOOKS_CHANNEL, WEBHOOKS_PLUGIN_VERSION } from './plugin.js';
