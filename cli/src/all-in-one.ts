/**
 * All-in-one Herald (`npm start`, SPEC §10): the gateway and every built-in plugin in one process,
 * with embedded defaults where nothing is configured — PGlite under the data directory (one pool
 * shared by the gateway and the plugins that own data, as one process per data directory is
 * allowed), NATS at NATS_URL or a child nats-server, mail to `.eml` files in the outbox, a
 * generated secret key and admin token kept in the data directory. Every HTTP API of SPEC §7 is
 * served on HERALD_HTTP_PORT. This is the composition root: the only code that imports both the
 * gateway and the plugins.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import type pg from 'pg';
import {
  connectNats,
  jsonLogger,
  loadPluginEnv,
  pluginHttpHandler,
  releaseStartupGarbage,
  runPlugin,
  type HttpHandler,
  type Logger,
} from '@herald/contracts';
import { ALERTS_API, openAlertPlugin, loadAlertEnv } from '@herald/plugin-alert';
import { loadMailEnv, startMailPlugin } from '@herald/plugin-mail';
import { loadMsteamsEnv, startMsteamsPlugin } from '@herald/plugin-msteams';
import { loadSlackEnv, startSlackPlugin } from '@herald/plugin-slack';
import { DEFAULT_WEBHOOKS_CONFIG, loadWebhooksEnv, openWebhooksPlugin, WEBHOOKS_API } from '@herald/plugin-webhooks';
import { createPglitePool, initialiseGatewayDatabase, parseGatewayConfig, startGateway, TokensService } from '@herald/gateway';
import { runDemo } from './demo.js';
import { ensureNats } from './embedded-nats.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface AllInOne {
  readonly apiUrl: string;
  stop(): Promise<void>;
}

/** A key kept in a file of the data directory, created (mode 600) on first use. */
function fileValue(path: string, create: () => string): { value: string; created: boolean } {
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), created: false };
  const value = create();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return { value, created: true };
}

/** One handler that tries each plugin API in turn, filled once the plugins run. */
function chain(handlers: HttpHandler[]): HttpHandler {
  return (req, res, next) => {
    const step = (i: number, error?: unknown): void => {
      if (error !== undefined || i >= handlers.length) return next(error);
      handlers[i]!(req, res, (err?: unknown) => step(i + 1, err));
    };
    step(0);
  };
}

export async function startAllInOne(env: Env, options: { demo?: boolean; print?: (line: string) => void } = {}): Promise<AllInOne> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = resolve(env['HERALD_DATA_DIR'] ?? '.herald');
  mkdirSync(dataDir, { recursive: true });
  const secret = env['HERALD_SECRET_KEY']
    ? { value: env['HERALD_SECRET_KEY'], created: false }
    : fileValue(join(dataDir, 'secret.key'), () => randomBytes(32).toString('base64'));
  const nats = await ensureNats(env['NATS_URL'] ?? 'nats://127.0.0.1:4222', dataDir, env);
  const effective: Env = {
    ...env,
    NATS_URL: nats.url,
    HERALD_SECRET_KEY: secret.value,
    HERALD_DATA_DIR: dataDir,
    HERALD_PLUGIN_HTTP_PORT: undefined,
  };
  const config = parseGatewayConfig(effective);
  const logger: Logger = jsonLogger({ level: config.logLevel, base: { service: 'herald' } });
  // a new data directory's initdb runs off the event loop (createPglitePool would block it for seconds)
  if (config.databaseUrl === undefined) await initialiseGatewayDatabase(dataDir);
  const pool: pg.Pool | undefined = config.databaseUrl === undefined ? createPglitePool(dataDir) : undefined;

  const pluginApis: HttpHandler[] = [];
  // Ready means every API is served (SPEC §7) and every plugin consumes: the gateway's
  // /health/ready stays 503 until all five plugins below run and their APIs are mounted.
  let started = false;
  const gateway = await startGateway({
    config,
    logger: logger.child({ component: 'gateway' }),
    apiHandlers: [chain(pluginApis)],
    apiOperations: [...ALERTS_API, ...WEBHOOKS_API],
    ready: () => started,
    ...(pool ? { databasePool: pool } : {}),
  });
  const nc = await connectNats({ url: nats.url, name: 'herald-plugins', security: config.natsSecurity, wait: { logger } });
  const stops: Array<() => Promise<void>> = [];
  try {
    const pluginPool =
      pool ?? (await import('@herald/plugin-alert')).openAlertDatabase({ databaseUrl: config.databaseUrl, dataDir, logger });
    const webhooksPool =
      pool ?? (await import('@herald/plugin-webhooks')).openWebhooksDatabase({ databaseUrl: config.databaseUrl, dataDir, logger });
    const envFor = (channel: string) => loadPluginEnv(effective, channel);
    const common = (channel: string) => ({
      connection: nc,
      logger: logger.child({ component: `plugin-${channel}` }),
      prefix: config.subjectPrefix,
      streamStorage: config.streamStorage,
      secretKey: secret.value,
      // one collection for the whole process once every plugin has started (below)
      releaseStartupGarbage: false,
    });

    const alert = await openAlertPlugin({
      pool: pluginPool,
      nc,
      prefix: config.subjectPrefix,
      logger: common('alert').logger,
      maxAlertsPerUser: loadAlertEnv(effective).maxAlertsPerUser,
    });
    const alertRunning = await runPlugin(alert.plugin, { ...common('alert'), config: {} });
    pluginApis.push(pluginHttpHandler(alert.plugin, alertRunning));
    stops.push(async () => {
      alert.close();
      await alertRunning.stop();
    });

    const webhooksEnv = loadWebhooksEnv(effective);
    const webhooks = await openWebhooksPlugin({
      pool: webhooksPool,
      nc,
      prefix: config.subjectPrefix,
      logger: common('webhooks').logger,
      secretKey: secret.value,
      siteUrl: config.siteUrl,
      allowPrivate: webhooksEnv.allowPrivate,
      maxDeferSeconds: webhooksEnv.maxDeferSeconds,
    });
    const webhooksRunning = await runPlugin(webhooks.plugin, { ...common('webhooks'), config: DEFAULT_WEBHOOKS_CONFIG });
    pluginApis.push(pluginHttpHandler(webhooks.plugin, webhooksRunning));
    stops.push(async () => {
      webhooks.close();
      await webhooksRunning.stop();
      await webhooks.resumer.stop();
    });

    const mailEnv = loadMailEnv(effective);
    const mail = await startMailPlugin({
      env: envFor('mail'),
      mailEnv,
      connection: nc,
      logger: common('mail').logger,
      releaseStartupGarbage: false,
    });
    stops.push(() => mail.stop());
    const slack = await startSlackPlugin({
      env: envFor('slack'),
      slackEnv: loadSlackEnv(effective),
      connection: nc,
      logger: common('slack').logger,
      releaseStartupGarbage: false,
    });
    stops.push(() => slack.stop());
    const teams = await startMsteamsPlugin({
      env: envFor('msteams'),
      msteamsEnv: loadMsteamsEnv(effective),
      connection: nc,
      logger: common('msteams').logger,
      releaseStartupGarbage: false,
    });
    stops.push(() => teams.stop());
    // start-up's garbage goes back to the system before ready (releaseStartupGarbage)
    const collectedMs = releaseStartupGarbage();
    logger.debug('start-up garbage released', { collect_ms: Math.round(collectedMs) });
    started = true;

    const apiUrl = `http://localhost:${gateway.port}`;
    let tokenLine: string;
    if (config.adminToken !== undefined) {
      tokenLine = 'HERALD_ADMIN_TOKEN (from the environment)';
    } else {
      const tokenFile = join(dataDir, 'admin-token');
      if (existsSync(tokenFile)) {
        tokenLine = `in ${tokenFile}`;
      } else {
        const created = await gateway.app.get(TokensService).create(null);
        if (created === null) throw new Error('could not create the first admin token');
        writeFileSync(tokenFile, `${created.token}\n`, { mode: 0o600 });
        tokenLine = `${created.token}   (shown once; also in ${tokenFile})`;
      }
    }
    const adminToken = config.adminToken ?? readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();

    print('');
    print('Herald is running (all-in-one).');
    print(`  API            ${apiUrl}/api/v1`);
    print(`  API docs       ${apiUrl}/api/docs`);
    print(`  health         ${apiUrl}/health/ready    metrics ${apiUrl}/metrics`);
    print(`  admin token    ${tokenLine}`);
    print(`  data dir       ${dataDir}`);
    print(
      `  database       ${config.databaseUrl === undefined ? `embedded PGlite in ${join(dataDir, 'pgdata')}` : 'PostgreSQL from DATABASE_URL'}`,
    );
    print(`  NATS           ${nats.url}${nats.source === 'started' ? ` (started here, JetStream store in ${join(dataDir, 'nats')})` : ''}`);
    print(
      `  mail           ${mailEnv.smtpUrl === undefined ? `.eml files in ${join(mailEnv.dataDir, 'outbox')} (set SMTP_URL to send)` : 'SMTP from SMTP_URL'}`,
    );
    print(
      `  secret key     ${env['HERALD_SECRET_KEY'] ? 'HERALD_SECRET_KEY (from the environment)' : `${join(dataDir, 'secret.key')}${secret.created ? ' (generated)' : ''}`}`,
    );
    print(`  subject prefix ${config.subjectPrefix}`);
    print('');
    print(`Next: npx herald publish scan_added --data '{"product":{"id":"1","name":"Web"}}'   (then GET ${apiUrl}/api/v1/deliveries)`);
    print(`      npm start -- --demo seeds a directory and settings and publishes a few events.`);
    print('');

    if (options.demo === true) await runDemo({ apiUrl, adminToken, nc, prefix: config.subjectPrefix, print });

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      stop: () => {
        stopping ??= (async () => {
          for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.error('plugin stop failed', { error }));
          await nc.drain().catch(() => undefined);
          await gateway.close();
          if (pool === undefined) {
            await pluginPool.end().catch(() => undefined);
            await webhooksPool.end().catch(() => undefined);
          }
          await nats.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await nc.close().catch(() => undefined);
    await gateway.close().catch(() => undefined);
    await nats.stop();
    throw error;
  }
}
