/**
 * A plugin as its own process: `runPlugin` with the shared plugin environment, then graceful
 * shutdown on SIGTERM/SIGINT (SPEC §8) — `onStopping` first (e.g. end open streams), then stop
 * fetching and finish or nak in-flight messages, drain NATS, `onDrained` (e.g. close the pool),
 * exit within 10 s.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { useLeanJit } from './lean-jit.js';
import type { ReadinessChecks } from './plugin-http-server.js';
import type { PluginDefinition } from './plugin.js';
import { runOptionsFromEnv, type PluginEnv } from './plugin-env.js';
import { runPlugin, type RunningPlugin } from './run-plugin.js';
import { installSignalHandlers } from './signal-handlers.js';

export interface PluginProcessOptions<Config> {
  /** The shared variables, from `loadPluginEnv`. */
  readonly env: PluginEnv;
  /** Drained on shutdown. */
  readonly connection: NatsConnection;
  readonly logger: Logger;
  /** Lowest configuration layer (see `RunPluginOptions.config`). @default none */
  readonly config?: Partial<Config>;
  /** Settings from the plugin's own variables (see `RunPluginOptions.envConfig`). @default none */
  readonly envConfig?: Partial<Config>;
  /** HTTP port when `HERALD_PLUGIN_HTTP_PORT` is unset. @default no HTTP server */
  readonly defaultHttpPort?: number;
  /** Runs first on a signal, before the plugin stops. @default none */
  readonly onStopping?: () => void;
  /** Runs after NATS is drained. @default none */
  readonly onDrained?: () => Promise<void>;
  /** Further `/health/ready` checks (see `RunPluginOptions.readinessChecks`). @default none */
  readonly readinessChecks?: ReadinessChecks;
  /** Keep V8's Maglev compiler on (see `PluginMainOptions.maglev`). @default false (`useLeanJit`) */
  readonly maglev?: boolean;
}

/** Starts the plugin and installs the signal handlers; returns the running plugin. */
export async function runPluginProcess<Config, Request>(
  plugin: PluginDefinition<Config, Request>,
  options: PluginProcessOptions<Config>,
): Promise<RunningPlugin<Config>> {
  if (options.maglev !== true) useLeanJit();
  const { env, connection, logger } = options;
  const running = await runPlugin(plugin, {
    connection,
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.envConfig === undefined ? {} : { envConfig: options.envConfig }),
    logger,
    ...runOptionsFromEnv(env, options.defaultHttpPort),
    ...(options.readinessChecks === undefined ? {} : { readinessChecks: options.readinessChecks }),
  });
  installSignalHandlers(
    {
      stop: async (timeoutMs) => {
        options.onStopping?.();
        await running.stop(timeoutMs);
      },
    },
    logger,
    {
      onStopped: async () => {
        await connection.drain();
        await options.onDrained?.();
      },
    },
  );
  return running;
}
