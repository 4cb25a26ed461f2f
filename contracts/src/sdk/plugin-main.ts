/**
 * The `main.ts` of a plugin process, written once: read the environment (an invalid variable exits
 * with status 78 and a message naming it, before anything connects), log as JSON, answer
 * `/health/ready` 503 on the HTTP port while NATS is not yet reachable (SPEC §8), connect, start
 * the plugin, and on SIGTERM/SIGINT stop it gracefully, drain NATS and exit within 10 s.
 *
 * `runPluginMain(plugin)` is the whole `main.ts` of a plugin that needs nothing but its definition
 * (the scaffold's); `startPluginMain(channel, start)` lets a plugin that builds its definition from
 * its own variables (templates, a transport) start it itself.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../jetstream/connect.js';
import { jsonLogger, type Logger } from '../logger.js';
import { useLeanJit } from './lean-jit.js';
import type { ReadinessChecks } from './plugin-http-server.js';
import { loadPluginEnv, runOptionsFromEnv, type PluginEnv } from './plugin-env.js';
import type { PluginDefinition } from './plugin.js';
import { runPlugin, type RunningPlugin } from './run-plugin.js';
import { installSignalHandlers } from './signal-handlers.js';
import { startStartupProbe } from './startup-probe.js';

/** Exit status of a process refused by its configuration (`EX_CONFIG`). */
export const EXIT_INVALID_CONFIGURATION = 78;

/** What `startPluginMain` hands the plugin's `start` function. */
export interface PluginMainContext<Own> {
  /** The shared plugin variables (`loadPluginEnv`). */
  readonly env: PluginEnv;
  /** The plugin's own variables, from `options.loadEnv`. */
  readonly own: Own;
  /** Connected; drained by the SDK on shutdown. */
  readonly connection: NatsConnection;
  /** JSON logger with `service: plugin-<channel>`. */
  readonly logger: Logger;
}

export interface PluginMainOptions<Own> {
  /** The environment to read. @default process.env */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * Parses the plugin's own variables before anything connects; what it throws is printed and the
   * process exits with status 78. @default none (`own` is `undefined`)
   */
  readonly loadEnv?: (processEnv: Readonly<Record<string, string | undefined>>) => Own;
  /** HTTP port (health, metrics, the plugin's API) when `HERALD_PLUGIN_HTTP_PORT` is unset. @default no HTTP server */
  readonly defaultHttpPort?: number;
  /** Runs after NATS is drained on shutdown (close a pool, a transport). @default none */
  readonly onDrained?: () => Promise<void>;
  /**
   * Keep V8's mid-tier optimising compiler (Maglev) on: for a plugin whose CPU per message matters
   * more than its resident size. @default false (off: `useLeanJit`, 5–20 MB less RSS per plugin)
   */
  readonly maglev?: boolean;
}

/** A started plugin: anything that can be stopped gracefully within a timeout. */
export interface Stoppable {
  stop(timeoutMs?: number): Promise<void>;
}

/** Loads the environment, connects, calls `start`, installs the signal handlers; resolves to what `start` returned. */
export async function startPluginMain<Running extends Stoppable, Own = undefined>(
  channel: string,
  start: (context: PluginMainContext<Own>) => Promise<Running>,
  options: PluginMainOptions<Own> = {},
): Promise<Running> {
  if (options.maglev !== true) useLeanJit();
  const processEnv = options.processEnv ?? process.env;
  let env: PluginEnv;
  let own: Own;
  try {
    env = loadPluginEnv(processEnv, channel);
    own = options.loadEnv ? options.loadEnv(processEnv) : (undefined as Own);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_INVALID_CONFIGURATION);
  }
  const logger = jsonLogger({ level: env.logLevel, base: { service: `plugin-${channel}` } });
  const httpPort = env.httpPort ?? options.defaultHttpPort;
  // Until NATS answers, the HTTP port (when there is one) reports /health/ready 503 (SPEC §8).
  const startupProbe = httpPort === undefined ? undefined : await startStartupProbe({ port: httpPort, logger });
  startupProbe?.waitingFor('nats');
  const connection = await connectNats({ url: env.natsUrl, name: env.connectionName, security: env.natsSecurity, wait: { logger } });
  await startupProbe?.close();
  const running = await start({ env, own, connection, logger });
  installSignalHandlers(running, logger, {
    onStopped: async () => {
      await connection.drain();
      await options.onDrained?.();
    },
  });
  return running;
}

export interface RunPluginMainOptions<Config> extends Omit<PluginMainOptions<undefined>, 'loadEnv'> {
  /** Lowest configuration layer, under the channel configuration set through the API. @default none */
  readonly config?: Partial<Config>;
  /** Further `/health/ready` checks by name, each given 2 s. @default none */
  readonly readinessChecks?: ReadinessChecks;
}

/**
 * The whole `main.ts` of a plugin: `await runPluginMain(myPlugin)`. Reads `NATS_URL`,
 * `HERALD_SUBJECT_PREFIX`, `HERALD_PLUGIN_HTTP_PORT`, … (`PLUGIN_ENV_VARIABLES`), runs the plugin
 * until SIGTERM/SIGINT.
 */
export async function runPluginMain<Config, Request>(
  plugin: PluginDefinition<Config, Request>,
  options: RunPluginMainOptions<Config> = {},
): Promise<RunningPlugin<Config>> {
  return startPluginMain<RunningPlugin<Config>>(
    plugin.channel,
    ({ env, connection, logger }) =>
      runPlugin(plugin, {
        connection,
        logger,
        ...runOptionsFromEnv(env, options.defaultHttpPort),
        ...(options.config === undefined ? {} : { config: options.config }),
        ...(options.readinessChecks === undefined ? {} : { readinessChecks: options.readinessChecks }),
      }),
    options,
  );
}
