/**
 * Starting the slack plugin on a given NATS connection: used by `main.ts` (its own process) and
 * by the all-in-one process. Only `main.ts` reads `process.env`; this module gets parsed values.
 */
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadTemplates, parseEnv, runOptionsFromEnv, runPlugin, type Logger, type PluginEnv, type RunningPlugin } from '@herald/contracts';
import { z } from 'zod';
import type { SlackConfig } from './config.js';
import { createSlackPlugin } from './plugin.js';
import { slackEscape } from './render.js';
import { slackWebApi, type SlackApi } from './transport.js';

const slackEnvSchema = z.object({
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL ending in /api/, e.g. "https://slack.com/api/"' }).optional(),
  HERALD_TEMPLATES_DIR: z.string().optional(),
});

/** Names of the slack plugin's own variables (beside `PLUGIN_ENV_VARIABLES`). */
export const SLACK_ENV_VARIABLES: readonly string[] = Object.keys(slackEnvSchema.shape);

/** The slack plugin's own environment (beside the shared `PluginEnv`). */
export interface SlackEnv {
  /** `SLACK_API_URL`. @default "https://slack.com/api/" */
  readonly apiUrl: string;
  /** `HERALD_TEMPLATES_DIR`; the slack templates are in `<dir>/slack/`. @default none */
  readonly templatesDir: string | undefined;
}

export function loadSlackEnv(env: Readonly<Record<string, string | undefined>>): SlackEnv {
  const data = parseEnv(slackEnvSchema, env, { subject: 'the slack plugin' });
  const apiUrl = data.SLACK_API_URL ?? 'https://slack.com/api/';
  return { apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`, templatesDir: data.HERALD_TEMPLATES_DIR };
}

/** The shipped templates, beside the compiled files: `plugins/slack/templates/`. */
export const SLACK_TEMPLATES_DIR = new URL('../templates/', import.meta.url);

/** Templates with Slack's escaping in both parts (`text` is mrkdwn-interpreted as well). */
export function loadSlackTemplates(templatesDir: string | undefined) {
  return loadTemplates({
    defaultsDir: SLACK_TEMPLATES_DIR,
    ...(templatesDir === undefined ? {} : { overrideDir: join(templatesDir, 'slack') }),
    escapers: { text: slackEscape, mrkdwn: slackEscape },
  });
}

export interface StartSlackOptions {
  readonly env: PluginEnv;
  readonly slackEnv: SlackEnv;
  readonly connection: NatsConnection;
  readonly logger: Logger;
  /** Lowest configuration layer, under the distributed channel configuration. @default none */
  readonly config?: Partial<SlackConfig>;
  /** `runPlugin`'s `releaseStartupGarbage`. @default true */
  readonly releaseStartupGarbage?: boolean;
  /** @default `slackWebApi({ apiUrl: slackEnv.apiUrl })` */
  readonly api?: SlackApi;
}

export async function startSlackPlugin(options: StartSlackOptions): Promise<RunningPlugin<SlackConfig>> {
  const { env, slackEnv, connection, logger } = options;
  const templates = loadSlackTemplates(slackEnv.templatesDir);
  const api = options.api ?? slackWebApi({ apiUrl: slackEnv.apiUrl });
  logger.info('slack api', { api_url: slackEnv.apiUrl, templates: templates.names.length });
  return runPlugin(createSlackPlugin({ api, templates }), {
    connection,
    logger,
    ...runOptionsFromEnv(env),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.releaseStartupGarbage === undefined ? {} : { releaseStartupGarbage: options.releaseStartupGarbage }),
  });
}
