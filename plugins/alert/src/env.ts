/**
 * The alert plugin's own environment variables, parsed once at start into a typed object (only
 * `main.ts` reads `process.env`); the variables every plugin shares (NATS_URL,
 * HERALD_SUBJECT_PREFIX, HERALD_PLUGIN_HTTP_PORT, …) are the SDK's `loadPluginEnv`. Every bad
 * variable is reported in one error naming it and the expected form (the SDK's `parseEnv`); empty
 * values count as unset.
 */
import { z } from 'zod';
import { parseEnv } from '@herald/contracts';

/** Port of the alerts API when HERALD_PLUGIN_HTTP_PORT is unset: the alert plugin always serves it. */
export const DEFAULT_ALERT_HTTP_PORT = 8081;

const envSchema = z.object({
  /** PostgreSQL URL; when unset, an embedded PGlite database under `<HERALD_DATA_DIR>/alert-pgdata`. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  /** @default ".herald" */
  HERALD_DATA_DIR: z.string().min(1).default('.herald'),
  /** Alerts kept per user by the retention job; -1 keeps all. @default 999 */
  HERALD_MAX_ALERTS_PER_USER: z.coerce
    .number({ error: 'must be an integer ≥ -1 (-1 keeps all)' })
    .int({ error: 'must be an integer ≥ -1 (-1 keeps all)' })
    .min(-1, { error: 'must be an integer ≥ -1 (-1 keeps all)' })
    .default(999),
});

/** Names of the alert plugin's own variables (beside `PLUGIN_ENV_VARIABLES`). */
export const ALERT_ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface AlertEnv {
  /** `DATABASE_URL`; `undefined` = embedded PGlite. */
  readonly databaseUrl: string | undefined;
  /** `HERALD_DATA_DIR`. @default ".herald" */
  readonly dataDir: string;
  /** `HERALD_MAX_ALERTS_PER_USER`. @default 999 */
  readonly maxAlertsPerUser: number;
}

export function loadAlertEnv(env: Readonly<Record<string, string | undefined>>): AlertEnv {
  // DATABASE_URL may carry a password: never echo it.
  const data = parseEnv(envSchema, env, { subject: 'the alert plugin', secrets: ['DATABASE_URL'] });
  return {
    databaseUrl: data.DATABASE_URL,
    dataDir: data.HERALD_DATA_DIR,
    maxAlertsPerUser: data.HERALD_MAX_ALERTS_PER_USER,
  };
}
