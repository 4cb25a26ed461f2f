/** The alert plugin as a library (all-in-one process, embedding): no side effects on import. */
export { openAlertDatabase } from './database.js';
export { ALERT_ENV_VARIABLES, DEFAULT_ALERT_HTTP_PORT, loadAlertEnv, type AlertEnv } from './env.js';
export { openAlertPlugin, type OpenAlertPluginOptions, type OpenedAlertPlugin } from './open-alert-plugin.js';
export { ALERTS_API, alertJsonSchema } from './http/alerts-api.js';
export { ALERT_CHANNEL, ALERT_PLUGIN_VERSION } from './plugin.js';
