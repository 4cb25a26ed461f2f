/**
 * The environment variables every plugin process shares (SPEC §10), parsed once at start into a
 * typed object by `parseEnv` (one error naming every bad variable; empty values count as unset;
 * the secret key is never echoed). Only a plugin's `main.ts` passes `process.env` here; its own
 * variables (SMTP_URL, SLACK_API_URL, …) it parses beside, with `parseEnv` too.
 */
import { z } from 'zod';
import { CHANNEL_NAME_PATTERN } from '../channels.js';
import { HeraldError } from '../errors.js';
import type { LogLevel } from '../logger.js';
import { streamStorageEnvShape, streamStorageFromEnv, type StreamStorage } from '../jetstream/stream-storage.js';
import { SecretBox } from '../secrets/secret-box.js';
import { DEFAULT_SUBJECT_PREFIX } from '../subjects.js';
import {
  NATS_SECRET_VARIABLES,
  natsEnvShape,
  natsSecurityFromEnv,
  refineNatsEnv,
  type NatsSecurity,
} from '../jetstream/connection-options.js';
import { parseEnv } from './parse-env.js';

const envSchema = z.object({
  ...natsEnvShape,
  HERALD_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: 'must be dot-separated subject tokens, e.g. "herald"' })
    .default(DEFAULT_SUBJECT_PREFIX),
  HERALD_SECRET_KEY: z
    .string()
    .superRefine((value, ctx) => {
      try {
        SecretBox.fromBase64(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message, input: value });
      }
    })
    .optional(),
  HERALD_PLUGIN_HTTP_PORT: z.coerce
    .number({ error: 'must be a TCP port number' })
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must be at least 0 (0 picks a free port)' })
    .max(65_535, { error: 'must be at most 65535' })
    .optional(),
  HERALD_PLUGIN_HTTP_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:_%-]+$/, { error: 'must be an interface address or host name, e.g. 0.0.0.0, 127.0.0.1 or ::' })
    .optional(),
  HERALD_PLUGIN_CONCURRENCY: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be at least 1' })
    .max(1_024, { error: 'must be at most 1024' })
    .optional(),
  HERALD_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' }).default('info'),
  ...streamStorageEnvShape,
});

/** Names of the shared plugin variables (what a deployment may set for every plugin). */
export const PLUGIN_ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** The shared plugin environment, typed. Field names match `RunPluginOptions` where they feed it. */
export interface PluginEnv {
  /** `NATS_URL`. @default "nats://127.0.0.1:4222" */
  readonly natsUrl: string;
  /** `NATS_USER`/`NATS_PASSWORD`, `NATS_TOKEN`, `NATS_NKEY_SEED(_FILE)`, `NATS_CREDS_FILE`, `NATS_TLS_*`. */
  readonly natsSecurity: NatsSecurity;
  /** `HERALD_SUBJECT_PREFIX`. @default "herald" */
  readonly prefix: string;
  /** `HERALD_SECRET_KEY` (validated: 32 bytes base64); needed to open sealed channel secrets. */
  readonly secretKey: string | undefined;
  /** `HERALD_PLUGIN_HTTP_PORT`; `undefined` = no HTTP server. @default undefined */
  readonly httpPort: number | undefined;
  /** `HERALD_PLUGIN_HTTP_HOST`: interface the HTTP server binds. @default undefined (all interfaces, "0.0.0.0") */
  readonly httpHost: string | undefined;
  /**
   * `HERALD_PLUGIN_CONCURRENCY`; `undefined` = the plugin's own default (`runPlugin`'s 16; the mail
   * plugin's is its SMTP pool size, 5). @default undefined
   */
  readonly concurrency: number | undefined;
  /** `HERALD_LOG_LEVEL`. @default "info" */
  readonly logLevel: LogLevel;
  /** NATS connection name: `herald-plugin-<channel>`. */
  readonly connectionName: string;
  /** `HERALD_STREAM_REPLICAS` and `HERALD_STREAM_PLACEMENT_TAGS`. @default 1 replica, no tags */
  readonly streamStorage: StreamStorage;
}

/** Parses the shared plugin variables; throws one `HeraldError('invalid_configuration')` listing every problem. */
export function loadPluginEnv(env: Readonly<Record<string, string | undefined>>, channel: string): PluginEnv {
  if (!CHANNEL_NAME_PATTERN.test(channel)) {
    throw new HeraldError(
      'invalid_configuration',
      `Invalid channel name "${channel}": use lowercase letters, digits, "_" or "-", at most 32`,
    );
  }
  const e = parseEnv(envSchema.superRefine(refineNatsEnv), env, {
    subject: `the ${channel} plugin`,
    secrets: ['HERALD_SECRET_KEY', ...NATS_SECRET_VARIABLES],
  });
  return {
    natsUrl: e.NATS_URL,
    natsSecurity: natsSecurityFromEnv(e),
    prefix: e.HERALD_SUBJECT_PREFIX,
    secretKey: e.HERALD_SECRET_KEY?.trim(),
    httpPort: e.HERALD_PLUGIN_HTTP_PORT,
    httpHost: e.HERALD_PLUGIN_HTTP_HOST,
    concurrency: e.HERALD_PLUGIN_CONCURRENCY,
    logLevel: e.HERALD_LOG_LEVEL,
    connectionName: `herald-plugin-${channel}`,
    streamStorage: streamStorageFromEnv(e),
  };
}

/** The `runPlugin` options that come from the shared variables (prefix, stream storage, concurrency, secret key, HTTP port and host). */
export function runOptionsFromEnv(
  env: PluginEnv,
  defaultHttpPort?: number,
): { prefix: string; streamStorage: StreamStorage; concurrency?: number; secretKey?: string; httpPort?: number; httpHost?: string } {
  const httpPort = env.httpPort ?? defaultHttpPort;
  return {
    prefix: env.prefix,
    streamStorage: env.streamStorage,
    ...(env.concurrency === undefined ? {} : { concurrency: env.concurrency }),
    ...(env.secretKey === undefined ? {} : { secretKey: env.secretKey }),
    ...(httpPort === undefined ? {} : { httpPort }),
    ...(env.httpHost === undefined ? {} : { httpHost: env.httpHost }),
  };
}
