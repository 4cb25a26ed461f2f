/**
 * Response bodies of the gateway API as zod schemas, for the OpenAPI document (`@ApiDoc`) and for
 * `test/openapi.test.ts`, which checks real answers against them. Each mirrors the view type the
 * service returns (`UserView`, `DeliveryView`, …); a field added to a view and not here fails that
 * test, as every object here is strict.
 */
import { z } from 'zod';
import { CHANNEL_NAME_PATTERN, destinationSchema, envelopeSchema, validationIssueSchema } from '@herald/contracts';
import { columnFilterSchema, quietWindowSchema } from '../settings/validate-settings.js';
import { ENGAGEMENT_STATUSES } from '../directory/engagement.entity.js';
import { DELIVERY_LOG_OUTCOMES } from '../persistence/delivery.entity.js';

const timestamp = z.iso.datetime({ offset: true }).describe('RFC 3339 timestamp');

export const userResponse = z.strictObject({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  full_name: z.string(),
  active: z.boolean(),
  superuser: z.boolean(),
  global_role: z.string().nullable(),
  slack_email: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const productTypeResponse = z.strictObject({ id: z.string(), name: z.string(), created_at: timestamp, updated_at: timestamp });

export const productResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  product_type_id: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const membershipResponse = z.strictObject({
  scope_id: z.string().describe('Product or product-type id'),
  user_id: z.string(),
  role: z.string().nullable(),
});

export const engagementResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  product_id: z.string(),
  lead: z.string().nullable(),
  target_start: z.iso.date(),
  target_end: z.iso.date(),
  status: z.enum(ENGAGEMENT_STATUSES),
  created_at: timestamp,
  updated_at: timestamp,
});

/** Every column present: column → channels. Personal rows and the template also carry quiet hours and digests. */
export const settingsResponse = z.strictObject({
  events: z.record(z.string(), z.array(z.string())).describe('Every preference column with the channels it routes to'),
  filters: z.record(z.string(), columnFilterSchema).describe('The columns that carry a filter, with it (SPEC §3.6)'),
  quiet_hours: z
    .strictObject({ timezone: z.string(), windows: z.array(quietWindowSchema), bypass: z.array(z.string()) })
    .nullable()
    .optional()
    .describe('Personal rows and the template: quiet hours (SPEC §3.6), null when none'),
  digests: z
    .record(z.string(), z.record(z.string(), z.string()))
    .optional()
    .describe('Personal rows and the template: column → channel → "hourly" | "daily at HH:MM" (SPEC §3.6)'),
});

export const productSettingsResponse = z.strictObject({
  events: settingsResponse.shape.events,
  filters: settingsResponse.shape.filters,
  product_id: z.string(),
});

export const eventTypeResponse = z.strictObject({
  name: z.string(),
  label: z.string(),
  defaultChannels: z.array(z.string()),
  productScoped: z.boolean(),
});

export const publishedEventResponse = z.strictObject({
  id: z.string().describe('The event id'),
  duplicate: z.boolean().describe('true when the same event was already published within the duplicate window'),
});

export const decisionsResponse = z.strictObject({
  source: z.string(),
  event_id: z.string(),
  type: z.string(),
  column: z.string().describe('The preference column the event was routed by'),
  decisions: z.unknown().describe("Routing's decisions: every delivery and every reason for not delivering"),
  routed_at: timestamp,
});

export const deliveryResponse = z.strictObject({
  delivery_id: z.string(),
  event_id: z.string(),
  channel: z.string(),
  user_id: z.string().nullable().describe('null for system-scope deliveries'),
  destination: destinationSchema,
  outcome: z.enum(DELIVERY_LOG_OUTCOMES),
  attempt: z.number().int().min(0).describe('0 while only published'),
  detail: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const deadLetterSummaryResponse = z.strictObject({
  id: z.string(),
  stage: z.enum(['ingest', 'route', 'deliver']),
  subject: z.string(),
  reason: z.string(),
  issues: z.array(validationIssueSchema),
  event_id: z.string().nullable(),
  created_at: timestamp,
  replayed_at: timestamp.nullable(),
});

export const deadLetterResponse = deadLetterSummaryResponse.extend({
  headers: z.record(z.string(), z.string()),
  payload_base64: z.string(),
  stream: z.string(),
  stream_seq: z.number().int(),
  deliveries: z.number().int(),
});

export const replayResponse = z.strictObject({ id: z.string(), replayed_to: z.string().describe('The subject published to') });

export const tokenResponse = z.strictObject({
  id: z.string(),
  user_id: z.string().nullable().describe('null for an admin token'),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
});

export const createdTokenResponse = tokenResponse.extend({
  token: z.string().describe('The token text: shown this once, only its SHA-256 is stored'),
});

export const scheduleResponse = z.strictObject({
  id: z.string(),
  idempotency_key: z.string(),
  event: envelopeSchema,
  deliver_at: timestamp,
  created_at: timestamp,
  cancelled_at: timestamp.nullable(),
  released_at: timestamp.nullable(),
  state: z.enum(['pending', 'released', 'cancelled']),
});

const secretOrValue = z.unknown().describe('A plain value, or `{ "configured": true|false }` for a secret field (write-only)');

export const channelConfigResponse = z.strictObject({
  channel: z.string(),
  enabled: z.boolean(),
  configured: z.boolean().describe('false when never saved: the registered defaults are shown'),
  settings: z.record(z.string(), secretOrValue),
  updated_at: timestamp.nullable().describe('null when never saved'),
});

export const channelResponse = z.strictObject({
  name: z.string(),
  builtin: z.boolean(),
  enabled: z.boolean(),
  configured: z.boolean().describe('Saved and valid against the registered schema'),
  config_valid: z
    .boolean()
    .nullable()
    .describe('false when the saved configuration no longer satisfies the registered schema; null when nothing can be judged'),
  config_errors: z.array(validationIssueSchema).describe('What is wrong with the saved configuration, each naming its field'),
  registered: z.boolean().describe('A plugin registration was ever seen (live or remembered)'),
  registered_version: z.string().nullable(),
  config_schema: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('The configuration JSON Schema the plugin registered (forms are generated from it); null when never registered'),
  secret_fields: z.array(z.string()).describe('Registered secret fields: write-only, answered as { "configured": true|false }'),
  plugin: z
    .strictObject({
      name: z.string(),
      version: z.string().nullable(),
      instances: z.number().int().min(1).describe('Live plugin instances'),
      last_heartbeat: timestamp.nullable(),
    })
    .nullable()
    .describe('null when no plugin instance is live'),
  live: z.boolean(),
});

export const healthResponse = z.strictObject({ status: z.literal('ok') });

export const readinessResponse = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.boolean()).describe('nats, database, warm (and apis in all-in-one mode)'),
});

/** A channel name in a path (`{channel}`). */
export const channelNameSchema = z.string().regex(CHANNEL_NAME_PATTERN).describe('A channel name: lowercase, at most 32 characters');

/**
 * `PUT /channels/{channel}/config`: `settings` follows the JSON Schema the channel's plugin
 * registered (`herald_plugins`); the gateway validates it against that schema (400 naming the field).
 */
export const channelConfigBodySchema = z.strictObject({
  enabled: z.boolean(),
  settings: z
    .record(z.string(), z.json())
    .optional()
    .describe(
      "The channel's settings, as its registered JSON Schema defines them; fields left out keep their stored value (or default), secrets left out are kept, null clears",
    ),
});
