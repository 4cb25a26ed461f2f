/**
 * Entry point of the webhooks plugin as its own process (`npm run start:plugin -- webhooks`): reads
 * the environment once, opens the database (PostgreSQL, or embedded PGlite under
 * `<HERALD_DATA_DIR>/webhooks-pgdata`) and NATS, applies migrations, consumes
 * `<prefix>.deliver.webhooks`, answers the scheduler's sweep command, and serves health, metrics and
 * the webhooks API on HERALD_PLUGIN_HTTP_PORT (default 8082). SIGTERM/SIGINT: stop fetching, finish
 * or nak in-flight messages, drain NATS, close the pool, exit within 10 s.
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
import { DEFAULT_WEBHOOKS_CONFIG, DEFAULT_WEBHOOKS_HTTP_PORT, loadWebhooksEnv } from './config.js';
import { openWebhooksDatabase } from './database.js';
import { openWebhooksPlugin } from './open-webhooks-plugin.js';

const pluginEnv = loadPluginEnv(process.env, 'webhooks');
const webhooksEnv = loadWebhooksEnv(process.env);
const logger = jsonLogger({ level: pluginEnv.logLevel, base: { service: 'plugin-webhooks' } });
const pool = openWebhooksDatabase({ databaseUrl: webhooksEnv.databaseUrl, dataDir: webhooksEnv.dataDir, logger });
// Until the plugin runs, its port answers /health/ready 503 naming what it waits for (SPEC §8).
const startupProbe = await startStartupProbe({
  port: pluginEnv.httpPort ?? DEFAULT_WEBHOOKS_HTTP_PORT,
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
  () =>
    openWebhooksPlugin({
      pool,
      nc,
      prefix: pluginEnv.prefix,
      logger,
      secretKey: pluginEnv.secretKey,
      siteUrl: webhooksEnv.siteUrl,
      allowPrivate: webhooksEnv.allowPrivate,
      maxDeferSeconds: webhooksEnv.maxDeferSeconds,
    }),
  { logger, isUnavailable: isDatabaseUnavailable },
);
await startupProbe.close();
const running = await runPluginProcess(opened.plugin, {
  env: pluginEnv,
  connection: nc,
  logger,
  config: DEFAULT_WEBHOOKS_CONFIG,
  ...(webhooksEnv.timeoutSecondsOverride === undefined ? {} : { envConfig: { timeout_seconds: webhooksEnv.timeoutSecondsOverride } }),
  defaultHttpPort: DEFAULT_WEBHOOKS_HTTP_PORT,
  onStopping: () => opened.close(),
  // a resume round still running uses the pool: let it finish first
  onDrained: async () => {
    await opened.resumer.stop();
    await pool.end();
  },
  readinessChecks: { database: () => pool.query('select 1').then(() => true) },
  // unlike the other plugins: its CPU per event is the latency and sustained figures' hot path
  maglev: true,
});
logger.info('webhooks plugin started', {
  prefix: pluginEnv.prefix,
  database: webhooksEnv.databaseUrl === undefined ? `pglite (${webhooksEnv.dataDir}/webhooks-pgdata)` : 'postgresql',
  http_port: running.httpPort,
  site_url: webhooksEnv.siteUrl,
  allow_private: webhooksEnv.allowPrivate.map((c) => c.text),
});
