/**
 * The inbound event envelope (SPEC §2.1): CloudEvents 1.0 in structured JSON mode with Herald's
 * rules for `data`. `parseEvent` never throws on bad input: it returns every problem found, each
 * naming the field, so the gateway can dead-letter the event with the reasons.
 */
import { z } from 'zod';
import { EVENT_NAME_PATTERN, humanise } from './catalogue.js';
import type { ValidationIssue } from './errors.js';
import { DEFAULT_MAX_EVENT_BYTES } from './topology.js';
import { inspectJson, MAX_JSON_DEPTH, toValidationIssues } from './validation.js';

/** Longest `id` and `source` accepted, characters: they travel in NATS headers and delivery ids. */
export const MAX_EVENT_ID_LENGTH = 256;

const CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

const nonEmpty = (what: string) =>
  z
    .string({ error: `must be a non-empty string (${what})` })
    .min(1, { error: `must not be empty (${what})` })
    .max(MAX_EVENT_ID_LENGTH, { error: `must be at most ${MAX_EVENT_ID_LENGTH} characters (${what})` })
    .regex(CONTROL_CHARACTERS, { error: `must not contain control characters such as CR, LF or NUL (${what})` });

const id = z.string({ error: 'must be a string id, e.g. "42"' }).min(1, { error: 'must not be empty' });

/** A scope object: `{ id, name, … }`; further fields pass through to templates unchanged. */
const scope = <T extends z.core.$ZodLooseShape>(extra: T) => z.looseObject({ id, name: z.string({ error: 'must be a string' }), ...extra });

export const productTypeSchema = scope({});
export const productSchema = scope({ product_type: productTypeSchema.optional(), product_type_id: id.optional() });
export const engagementSchema = scope({ product: productSchema.optional() });
export const testSchema = scope({ engagement: engagementSchema.optional() });
export const findingSchema = scope({ test: testSchema.optional(), severity: z.string({ error: 'must be a string' }).optional() });

/** Event severities, most severe first (DefectDojo's finding severities); filters compare by this order. */
export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severitySchema = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')} (case-sensitive)` });

const rfc3339 = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp, e.g. "2026-11-23T10:00:00Z"' });

export const eventDataSchema = z.looseObject({
  title: z.string({ error: 'must be a string' }).optional(),
  description: z.string({ error: 'must be a string' }).optional(),
  url: z.string({ error: 'must be a string (relative to HERALD_SITE_URL or absolute)' }).optional(),
  url_api: z.string({ error: 'must be a string' }).optional(),
  icon: z.string({ error: 'must be a string' }).optional(),
  product_type: productTypeSchema.optional(),
  product: productSchema.optional(),
  engagement: engagementSchema.optional(),
  test: testSchema.optional(),
  finding: findingSchema.optional(),
  /** Used by settings filters (`min_severity`); `finding.severity` is read when this is absent. */
  severity: severitySchema.optional(),
  /** Used by settings filters (`tags_any`). */
  tags: z
    .array(z.string({ error: 'must be a tag (string)' }).min(1, { error: 'must not be an empty tag' }), {
      error: 'must be an array of tags (strings), e.g. ["pci"]',
    })
    .optional(),
  recipients: z
    .array(
      z
        .string({ error: 'must be a username (string); objects or numbers match nobody' })
        .min(1, { error: 'must not be an empty username' }),
      {
        error: 'must be an array of usernames (strings)',
      },
    )
    .optional(),
  no_users: z.boolean({ error: 'must be true or false' }).optional(),
  alert_only: z.boolean({ error: 'must be true or false' }).optional(),
  actor: z
    .looseObject({ id, username: z.string({ error: 'must be a string' }) }, { error: 'must be an object { id, username }' })
    .optional(),
  deliver_at: rfc3339.optional(),
});

export const envelopeSchema = z.looseObject({
  specversion: z.literal('1.0', { error: 'must be "1.0" (CloudEvents 1.0)' }),
  id: nonEmpty('unique per publisher'),
  source: nonEmpty('e.g. "defectdojo"'),
  type: z.string({ error: 'must be a string event name' }).regex(EVENT_NAME_PATTERN, { error: 'must match [a-z0-9_]+, e.g. "scan_added"' }),
  time: rfc3339.optional(),
  datacontenttype: z.literal('application/json', { error: 'must be "application/json" when present' }).optional(),
  data: eventDataSchema.optional(),
});

export type ProductTypeScope = z.infer<typeof productTypeSchema>;
export type ProductScope = z.infer<typeof productSchema>;
export type EngagementScope = z.infer<typeof engagementSchema>;
export type TestScope = z.infer<typeof testSchema>;
export type FindingScope = z.infer<typeof findingSchema>;

/** `data` after defaults: `title` and `description` are always present. */
export type EventData = z.infer<typeof eventDataSchema> & { title: string; description: string };

/** A validated event, defaults applied (SPEC §2.1, §3.6). */
export interface HeraldEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** RFC 3339; the receive time when the publisher gave none. */
  readonly time: string;
  readonly data: EventData;
}

export type ParseResult =
  { readonly ok: true; readonly event: HeraldEvent } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export interface ParseOptions {
  /** @default DEFAULT_MAX_EVENT_BYTES (1 MiB) */
  readonly maxBytes?: number;
  /** Receive time, used when the event has no `time`. */
  readonly now: Date;
}

/** Default description per SPEC §3.6. */
export function defaultDescription(type: string, data: z.infer<typeof eventDataSchema>): string {
  if (type === 'product_added' && data.product) return `Product ${data.product.name} has been created successfully.`;
  if (type === 'product_type_added' && data.product_type) return `Product Type ${data.product_type.name} has been created successfully.`;
  return `Event ${type} has occurred.`;
}

/** Validates raw bytes (or an already-decoded value) as an event and applies defaults. */
export function parseEvent(raw: Uint8Array | string, options: ParseOptions): ParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: `event is ${size} bytes, over the limit of ${maxBytes} bytes`,
          expected: `at most ${maxBytes} bytes (HERALD_MAX_EVENT_BYTES)`,
        },
      ],
    };
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      issues: [{ path: '', message: `malformed JSON: ${(error as Error).message}`, expected: 'a CloudEvents 1.0 JSON object' }],
    };
  }
  return validateEvent(decoded, options.now);
}

/** Validates a decoded value as an event and applies defaults. */
export function validateEvent(decoded: unknown, now: Date): ParseResult {
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    return { ok: false, issues: [{ path: '', message: 'must be a JSON object', expected: 'a CloudEvents 1.0 JSON object' }] };
  }
  // Depth first: nothing below may walk a structure deeper than the limit (JSON.stringify of a
  // 10 000-level array overflows the stack). NUL is refused in every string, PostgreSQL cannot
  // store it.
  const shape = inspectJson(decoded, MAX_JSON_DEPTH);
  if (shape.tooDeep) return { ok: false, issues: shape.issues };
  const result = envelopeSchema.safeParse(decoded);
  if (!result.success || shape.issues.length > 0) {
    // A NUL in `id` or `source` is reported once, by the walk.
    const nulPaths = new Set(shape.issues.map((i) => i.path));
    const schemaIssues = result.success ? [] : toValidationIssues(result.error, decoded).filter((i) => !nulPaths.has(i.path));
    return { ok: false, issues: [...shape.issues, ...schemaIssues] };
  }
  const envelope = result.data;
  const data = envelope.data ?? {};
  return {
    ok: true,
    event: {
      ...envelope,
      specversion: '1.0',
      time: envelope.time ?? now.toISOString(),
      data: {
        ...data,
        title: data.title ?? humanise(envelope.type),
        description: data.description ?? defaultDescription(envelope.type, data),
      },
    },
  };
}
