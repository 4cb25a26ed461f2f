/**
 * Gateway configuration: parsed once at start from the environment into a typed object by the
 * SDK's `parseEnv`: every bad variable is reported in one error, each with the variable name and
 * the expected form; blank values count as unset, as in every plugin.
 * Only `main.ts` reads `process.env`; everything else receives a `GatewayConfig`.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import {
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_SUBJECT_PREFIX,
  EVENT_NAME_PATTERN,
  NATS_SECRET_VARIABLES,
  natsEnvShape,
  natsSecurityFromEnv,
  parseEnv,
  refineNatsEnv,
  type NatsSecurity,
  streamStorageEnvShape,
  streamStorageFromEnv,
  type StreamStorage,
} from '@herald/contracts';

const port = z.coerce
  .number({ error: 'must be a TCP port number' })
  .int({ error: 'must be an integer' })
  .min(0)
  .max(65_535, { error: 'must be at most 65535' });

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** A croner expression (5 fields, or 6 with seconds first). */
const cron = (fallback: string) =>
  z
    .string()
    .refine(
      (expression) => {
        try {
          new Cron(expression, { paused: true }).stop();
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be a cron expression: 5 fields "min hour day month weekday" or 6 with seconds first, e.g. "0 * * * *"' },
    )
    .default(fallback);

const envSchema = z.object({
  ...natsEnvShape,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  HERALD_HTTP_PORT: port.default(8080),
  HERALD_SITE_URL: z.url({ error: 'must be an absolute URL, e.g. http://localhost:8080' }).default('http://localhost:8080'),
  HERALD_PUBLIC_URL: z
    .url({ error: 'must be an absolute URL where this gateway is reachable, e.g. https://herald.example.com' })
    .optional(),
  HERALD_DATA_DIR: z.string().min(1).default('.herald'),
  HERALD_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: 'must be dot-separated subject tokens, e.g. "herald"' })
    .default(DEFAULT_SUBJECT_PREFIX),
  HERALD_EXTRA_EVENT_SUBJECTS: commaList.default([]),
  HERALD_MAX_EVENT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024, { error: 'must be at least 1024' })
    .max(32 * 1024 * 1024, { error: 'must be at most 33554432 (32 MiB)' })
    .default(DEFAULT_MAX_EVENT_BYTES),
  HERALD_SYSTEM_LEVEL_TRUMP: commaList
    .pipe(z.array(z.string().regex(EVENT_NAME_PATTERN, { error: 'each entry must be an event name like user_mentioned' })))
    .default(['user_mentioned', 'review_requested']),
  HERALD_INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(1_024).default(32),
  HERALD_ROUTING_CHUNK: z.coerce
    .number()
    .int()
    .min(1, { error: 'must be a number of candidates, at least 1' })
    .max(1_000_000, { error: 'must be at most 1000000' })
    .default(5_000),
  HERALD_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' }).default('info'),
  HERALD_SECRET_KEY: z.string().optional(),
  HERALD_ADMIN_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  HERALD_SCHEDULE_ENGAGEMENT_REMINDERS: cron('0 * * * *'),
  HERALD_SCHEDULE_SCHEDULED_EVENTS: cron('*/10 * * * * *'),
  HERALD_SCHEDULE_ALERT_RETENTION: cron('0 */8 * * *'),
  HERALD_SCHEDULE_WEBHOOK_SWEEP: cron('* * * * *'),
  HERALD_SCHEDULE_HELD_DELIVERIES: cron('*/5 * * * * *'),
  HERALD_SCHEDULER_LEASE_MS: z.coerce.number().int().min(1_000, { error: 'must be at least 1000 (1 s)' }).default(15_000),
  HERALD_UPCOMING_ENGAGEMENT_DAYS: z.coerce.number().int().min(0).max(365).default(3),
  HERALD_AUTO_CLOSE_ENGAGEMENT_DAYS: z.coerce
    .number()
    .int()
    .min(0, { error: 'must be a number of days (unset disables auto-close)' })
    .optional(),
  ...streamStorageEnvShape,
});

/** Names of the variables the gateway reads. */
export const GATEWAY_ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface GatewayConfig {
  readonly natsUrl: string;
  /** NATS credentials and TLS (`NATS_USER`, `NATS_TOKEN`, `NATS_CREDS_FILE`, `NATS_TLS_*`, …). */
  readonly natsSecurity: NatsSecurity;
  /** `undefined` ⇒ embedded PGlite under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly httpPort: number;
  readonly siteUrl: string;
  /**
   * Where mail recipients reach this gateway's HTTP port: the base of one-click unsubscribe links
   * (`HERALD_PUBLIC_URL`, no trailing slash). @default siteUrl
   */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly subjectPrefix: string;
  /** Replicas and placement of every stream and KV bucket (`HERALD_STREAM_REPLICAS`, `HERALD_STREAM_PLACEMENT_TAGS`). @default 1 replica, no tags */
  readonly streamStorage: StreamStorage;
  readonly extraEventSubjects: readonly string[];
  /** @default 1048576 (1 MiB) */
  readonly maxEventBytes: number;
  readonly systemLevelTrump: readonly string[];
  /** Events processed at once by one gateway replica. @default 32 */
  readonly ingestConcurrency: number;
  /**
   * Candidates per chunk when a broadcast is routed, published and stored a chunk at a time (an
   * event with more candidates is streamed; see `RoutingService`). @default 5000
   */
  readonly routingChunk: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly secretKey: string | undefined;
  readonly adminToken: string | undefined;
  readonly schedules: {
    /** @default "0 * * * *" (hourly) */
    readonly engagementReminders: string;
    /** @default "*\/10 * * * * *" (every 10 s) */
    readonly scheduledEvents: string;
    /** @default "0 *\/8 * * *" (every 8 h) */
    readonly alertRetention: string;
    /** @default "* * * * *" (every minute) */
    readonly webhookSweep: string;
    /** Releases deliveries deferred by quiet hours and due digests (SPEC §3.6). @default "*\/5 * * * * *" (every 5 s) */
    readonly heldDeliveries: string;
  };
  /** Scheduler leader lease, ms. @default 15000 */
  readonly schedulerLeaseMs: number;
  /** @default 3 */
  readonly upcomingEngagementDays: number;
  /** `undefined` disables auto-close. */
  readonly autoCloseEngagementDays: number | undefined;
}

/** Parses the environment; throws one `HeraldError('invalid_configuration')` listing every problem. */
export function parseGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  // Keys, tokens and a URL that may carry a password are never echoed.
  const e = parseEnv(envSchema.superRefine(refineNatsEnv), env, {
    subject: 'the gateway',
    secrets: ['DATABASE_URL', 'HERALD_SECRET_KEY', 'HERALD_ADMIN_TOKEN', ...NATS_SECRET_VARIABLES],
  });
  return {
    natsUrl: e.NATS_URL,
    natsSecurity: natsSecurityFromEnv(e),
    databaseUrl: e.DATABASE_URL,
    httpPort: e.HERALD_HTTP_PORT,
    siteUrl: e.HERALD_SITE_URL.replace(/\/+$/, ''),
    publicUrl: (e.HERALD_PUBLIC_URL ?? e.HERALD_SITE_URL).replace(/\/+$/, ''),
    dataDir: e.HERALD_DATA_DIR,
    subjectPrefix: e.HERALD_SUBJECT_PREFIX,
    streamStorage: streamStorageFromEnv(e),
    extraEventSubjects: e.HERALD_EXTRA_EVENT_SUBJECTS,
    maxEventBytes: e.HERALD_MAX_EVENT_BYTES,
    systemLevelTrump: e.HERALD_SYSTEM_LEVEL_TRUMP,
    ingestConcurrency: e.HERALD_INGEST_CONCURRENCY,
    routingChunk: e.HERALD_ROUTING_CHUNK,
    logLevel: e.HERALD_LOG_LEVEL,
    secretKey: e.HERALD_SECRET_KEY,
    adminToken: e.HERALD_ADMIN_TOKEN,
    schedules: {
      engagementReminders: e.HERALD_SCHEDULE_ENGAGEMENT_REMINDERS,
      scheduledEvents: e.HERALD_SCHEDULE_SCHEDULED_EVENTS,
      alertRetention: e.HERALD_SCHEDULE_ALERT_RETENTION,
      webhookSweep: e.HERALD_SCHEDULE_WEBHOOK_SWEEP,
      heldDeliveries: e.HERALD_SCHEDULE_HELD_DELIVERIES,
    },
    schedulerLeaseMs: e.HERALD_SCHEDULER_LEASE_MS,
    upcomingEngagementDays: e.HERALD_UPCOMING_ENGAGEMENT_DAYS,
    autoCloseEngagementDays: e.HERALD_AUTO_CLOSE_ENGAGEMENT_DAYS,
  };
}
