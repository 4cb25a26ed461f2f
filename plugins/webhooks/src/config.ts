/**
 * The webhooks channel settings (SPEC §2.5, `PUT /channels/webhooks/config`) and the plugin's
 * environment, each parsed once into a typed object by one schema. Only `main.ts` reads
 * `process.env`; it hands the variables to `loadWebhooksEnv`.
 */
import { z } from 'zod';
import { parseEnv, parseAllowList, type Cidr } from '@herald/contracts';

/** Channel settings. */
export const webhooksConfigSchema = z.strictObject({
  /** Per-request timeout, seconds. @default 10 */
  timeout_seconds: z
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(1)
    .max(300)
    .default(10),
});
export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

export const DEFAULT_WEBHOOKS_CONFIG: WebhooksConfig = { timeout_seconds: 10 };

const envSchema = z.object({
  /** PostgreSQL URL; when unset, embedded PGlite under `<HERALD_DATA_DIR>/webhooks-pgdata`. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  /** @default ".herald" */
  HERALD_DATA_DIR: z.string().min(1).default('.herald'),
  /** `X-Herald-Instance` of pings. @default "http://localhost:8080" */
  HERALD_SITE_URL: z.url({ error: 'must be an absolute URL, e.g. http://localhost:8080' }).default('http://localhost:8080'),
  /** Non-public ranges webhooks may target, comma-separated CIDRs. @default none */
  HERALD_WEBHOOKS_ALLOW_PRIVATE: z
    .string()
    .optional()
    .transform((text, ctx): Cidr[] => {
      try {
        return parseAllowList(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Overrides the channel setting `timeout_seconds` when set. */
  HERALD_WEBHOOKS_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(1, { error: 'must be at least 1' })
    .max(300, { error: 'must be at most 300' })
    .optional(),
  /** How long a message may wait for an `inactive_tmp` endpoint before it is dropped, seconds. @default 86400 (24 h) */
  HERALD_WEBHOOKS_MAX_DEFER_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(60, { error: 'must be at least 60 (one reactivation period)' })
    .max(30 * 24 * 60 * 60, { error: 'must be at most 2592000 (30 days)' })
    .default(24 * 60 * 60),
});

/** Port of the plugin's HTTP server when HERALD_PLUGIN_HTTP_PORT is unset. */
export const DEFAULT_WEBHOOKS_HTTP_PORT = 8082;

/** The webhooks plugin's own variables (the shared ones come from `loadPluginEnv`). */
/** Names of the webhooks plugin's own variables (beside `PLUGIN_ENV_VARIABLES`). */
export const WEBHOOKS_ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface WebhooksEnv {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly siteUrl: string;
  readonly allowPrivate: readonly Cidr[];
  readonly timeoutSecondsOverride: number | undefined;
  readonly maxDeferSeconds: number;
}

/** Parses the environment; one `invalid_configuration` error lists every bad variable. */
export function loadWebhooksEnv(env: Readonly<Record<string, string | undefined>>): WebhooksEnv {
  // DATABASE_URL may carry a password: never echo it.
  const e = parseEnv(envSchema, env, { subject: 'the webhooks plugin', secrets: ['DATABASE_URL'] });
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.HERALD_DATA_DIR,
    siteUrl: e.HERALD_SITE_URL.replace(/\/+$/, ''),
    allowPrivate: e.HERALD_WEBHOOKS_ALLOW_PRIVATE,
    timeoutSecondsOverride: e.HERALD_WEBHOOKS_TIMEOUT_SECONDS,
    maxDeferSeconds: e.HERALD_WEBHOOKS_MAX_DEFER_SECONDS,
  };
}
