/**
 * Starting the mail plugin on a given NATS connection: used by `main.ts` (its own process) and by
 * the all-in-one process (in-process, sharing its connection). Only `main.ts` reads `process.env`;
 * this module gets the parsed values.
 */
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadTemplates, parseEnv, runOptionsFromEnv, runPlugin, type Logger, type PluginEnv, type RunningPlugin } from '@herald/contracts';
import { z } from 'zod';
import type { MailConfig } from './config.js';
import { createMailPlugin } from './plugin.js';
import { outboxTransport, SMTP_POOL_SIZE, smtpTransport, type MailTransport } from './transport.js';

const mailEnvSchema = z.object({
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. "smtp://user:pass@mail.example.com:587"' })
    .optional(),
  HERALD_DATA_DIR: z.string().default('.herald'),
  HERALD_TEMPLATES_DIR: z.string().optional(),
});

/** Names of the mail plugin's own variables (beside `PLUGIN_ENV_VARIABLES`). */
export const MAIL_ENV_VARIABLES: readonly string[] = Object.keys(mailEnvSchema.shape);

/** The mail plugin's own environment (beside the shared `PluginEnv`). */
export interface MailEnv {
  /** `SMTP_URL`; unset ⇒ mails are written as `.eml` files into `<dataDir>/outbox/`. */
  readonly smtpUrl: string | undefined;
  /** `HERALD_DATA_DIR`. @default ".herald" */
  readonly dataDir: string;
  /** `HERALD_TEMPLATES_DIR`; the mail templates are in `<dir>/mail/`. @default none */
  readonly templatesDir: string | undefined;
}

/** Parses the mail variables; throws one `HeraldError('invalid_configuration')` listing every problem. */
export function loadMailEnv(env: Readonly<Record<string, string | undefined>>): MailEnv {
  // SMTP_URL may carry a password: never echo it.
  const data = parseEnv(mailEnvSchema, env, { subject: 'the mail plugin', secrets: ['SMTP_URL'] });
  return { smtpUrl: data.SMTP_URL, dataDir: data.HERALD_DATA_DIR, templatesDir: data.HERALD_TEMPLATES_DIR };
}

/** The shipped templates, beside the compiled files: `plugins/mail/templates/`. */
export const MAIL_TEMPLATES_DIR = new URL('../templates/', import.meta.url);

/** SMTP when `SMTP_URL` is set, else the `.eml` outbox under the data directory. */
export function mailTransportFromEnv(env: MailEnv): MailTransport {
  return env.smtpUrl !== undefined ? smtpTransport({ url: env.smtpUrl }) : outboxTransport(resolve(env.dataDir, 'outbox'));
}

export interface StartMailOptions {
  readonly env: PluginEnv;
  readonly mailEnv: MailEnv;
  readonly connection: NatsConnection;
  readonly logger: Logger;
  /** Lowest configuration layer, under the distributed channel configuration. @default none */
  readonly config?: Partial<MailConfig>;
  /** `runPlugin`'s `releaseStartupGarbage`. @default true */
  readonly releaseStartupGarbage?: boolean;
  /** Replaces the transport chosen from the environment. @default `mailTransportFromEnv(mailEnv)` */
  readonly transport?: MailTransport;
}

export interface RunningMailPlugin {
  readonly plugin: RunningPlugin<MailConfig>;
  readonly transport: MailTransport;
  stop(timeoutMs?: number): Promise<void>;
}

export async function startMailPlugin(options: StartMailOptions): Promise<RunningMailPlugin> {
  const { env, mailEnv, connection, logger } = options;
  const templates = loadTemplates({
    defaultsDir: MAIL_TEMPLATES_DIR,
    ...(mailEnv.templatesDir === undefined ? {} : { overrideDir: join(mailEnv.templatesDir, 'mail') }),
  });
  const transport = options.transport ?? mailTransportFromEnv(mailEnv);
  logger.info('mail transport', { transport: transport.description, templates: templates.names.length });
  const plugin = await runPlugin(createMailPlugin({ transport, templates }), {
    connection,
    logger,
    // one mail in flight per SMTP connection (the outbox's file writes need no more either)
    concurrency: SMTP_POOL_SIZE,
    ...runOptionsFromEnv(env),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.releaseStartupGarbage === undefined ? {} : { releaseStartupGarbage: options.releaseStartupGarbage }),
  });
  return {
    plugin,
    transport,
    async stop(timeoutMs) {
      await plugin.stop(timeoutMs);
      transport.close();
    },
  };
}
