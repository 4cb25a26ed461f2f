/**
 * Entry point of the alert plugin as its own process (`npm run start:plugin -- alert`): reads the
 * environment once, opens the database (PostgreSQL, or embedded PGlite) and NATS, applies
 * migrations, consumes `<prefix>.deliver.alert`, and serves health, metrics and the alerts API on
 * HERALD_PLUGIN_HTTP_PORT (default 8081). SIGTERM/SIGINT: stop fetching, finish or nak in-flight
 * messages, end open alert streams, drain NATS, close the pool, exit within 10 s.
 */
import {
  connectNats,
  isDatabaseUnavailable,
  jsonLogger,
  loadPluginEnv,
  runPluginProcess,
  startStartupProbe,
  waitForDependency,
} from '@herald/contracts';
import { openAlertDatabase } from './database.js';
import { DEFAULT_ALERT_HTTP_PORT, loadAlertEnv } from './env.js';
import { openAlertPlugin } from './open-alert-plugin.js';

const pluginEnv = loadPluginEnv(process.env, 'alert');
const alertEnv = loadAlertEnv(process.env);
const logger = jsonLogger({ level: pluginEnv.logLevel, base: { service: 'plugin-alert' } });
const pool = openAlertDatabase({ databaseUrl: alertEnv.databaseUrl, dataDir: alertEnv.dataDir, logger });
// Until the plugin runs, its port answers /health/ready 503 naming what it waits for (SPEC §8).
const startupProbe = await startStartupProbe({
  port: pluginEnv.httpPort ?? DEFAULT_ALERT_HTTP_PORT,
  ...(pluginEnv.httpHost === undefined ? {} : { host: pluginEnv.httpHost }),
  logger,
});
startupProbe.waitingFor('nats');
const nc = await connectNats({
  url: pluginEnv.natsUrl,
  name: pluginEnv.connectionName,
  security: pluginEnv.natsSecurity,
  wait: { logger },
});
startupProbe.waitingFor('database');
const opened = await waitForDependency(
  'PostgreSQL',
  () => openAlertPlugin({ pool, nc, prefix: pluginEnv.prefix, logger, maxAlertsPerUser: alertEnv.maxAlertsPerUser }),
  { logger, isUnavailable: isDatabaseUnavailable },
);
await startupProbe.close();
const running = await runPluginProcess(opened.plugin, {
  env: pluginEnv,
  connection: nc,
  logger,
  config: {},
  defaultHttpPort: DEFAULT_ALERT_HTTP_PORT,
  onStopping: () => opened.close(),
  onDrained: () => pool.end(),
  readinessChecks: { database: () => pool.query('select 1').then(() => true) },
});
logger.info('alert plugin started', {
  prefix: pluginEnv.prefix,
  database: alertEnv.databaseUrl === undefined ? 'pglite' : 'postgresql',
  http_port: running.httpPort,
});
