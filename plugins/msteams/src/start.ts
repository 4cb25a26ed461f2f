/**
 * Starting the msteams plugin on a given NATS connection: used by `main.ts` (its own process) and
 * by the all-in-one process. Only `main.ts` reads `process.env`; this module gets parsed values.
 */
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadTemplates, parseEnv, runOptionsFromEnv, runPlugin, type Logger, type PluginEnv, type RunningPlugin } from '@herald/contracts';
import { z } from 'zod';
import type { MsteamsConfig } from './config.js';
import { createMsteamsPlugin } from './plugin.js';
import { teamsMarkdownEscape } from './render.js';
import { httpTeamsTransport, type TeamsTransport } from './transport.js';

const msteamsEnvSchema = z.object({
  HERALD_TEMPLATES_DIR: z.string().optional(),
  HERALD_MSTEAMS_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(300_000).default(10_000),
});

/** Names of the msteams plugin's own variables (beside `PLUGIN_ENV_VARIABLES`). */
export const MSTEAMS_ENV_VARIABLES: readonly string[] = Object.keys(msteamsEnvSchema.shape);

/** The msteams plugin's own environment (beside the shared `PluginEnv`). */
export interface MsteamsEnv {
  /** `HERALD_TEMPLATES_DIR`; the msteams templates are in `<dir>/msteams/`. @default none */
  readonly templatesDir: string | undefined;
  /** `HERALD_MSTEAMS_TIMEOUT_MS`: one POST, ms. @default 10000 */
  readonly timeoutMs: number;
}

export function loadMsteamsEnv(env: Readonly<Record<string, string | undefined>>): MsteamsEnv {
  const data = parseEnv(msteamsEnvSchema, env, { subject: 'the msteams plugin' });
  return { templatesDir: data.HERALD_TEMPLATES_DIR, timeoutMs: data.HERALD_MSTEAMS_TIMEOUT_MS };
}

/** The shipped templates, beside the compiled files: `plugins/msteams/templates/`. */
export const MSTEAMS_TEMPLATES_DIR = new URL('../templates/', import.meta.url);

export function loadMsteamsTemplates(templatesDir: string | undefined) {
  return loadTemplates({
    defaultsDir: MSTEAMS_TEMPLATES_DIR,
    ...(templatesDir === undefined ? {} : { overrideDir: join(templatesDir, 'msteams') }),
    escapers: { title: teamsMarkdownEscape, text: teamsMarkdownEscape },
  });
}

export interface StartMsteamsOptions {
  readonly env: PluginEnv;
  readonly msteamsEnv: MsteamsEnv;
  readonly connection: NatsConnection;
  readonly logger: Logger;
  /** Lowest configuration layer, under the distributed channel configuration. @default none */
  readonly config?: Partial<MsteamsConfig>;
  /** `runPlugin`'s `releaseStartupGarbage`. @default true */
  readonly releaseStartupGarbage?: boolean;
  /** @default `httpTeamsTransport({ timeoutMs })` */
  readonly transport?: TeamsTransport;
}

export async function startMsteamsPlugin(options: StartMsteamsOptions): Promise<RunningPlugin<MsteamsConfig>> {
  const { env, msteamsEnv, connection, logger } = options;
  const templates = loadMsteamsTemplates(msteamsEnv.templatesDir);
  const transport = options.transport ?? httpTeamsTransport({ timeoutMs: msteamsEnv.timeoutMs });
  return runPlugin(createMsteamsPlugin({ transport, templates }), {
    connection,
    logger,
    ...runOptionsFromEnv(env),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.releaseStartupGarbage === undefined ? {} : { releaseStartupGarbage: options.releaseStartupGarbage }),
  });
}
