/**
 * What the webhooks API accepts for an endpoint (SPEC §7), as schemas: unknown fields and header
 * injection (CR/LF or other characters HTTP forbids in names and values) are refused with an issue
 * naming the field. Pure.
 */
import { z } from 'zod';
import { signingSecretProblem } from './signature.js';

/** RFC 9110 `token`: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, space and tab; no CR, LF or other control characters. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** Headers Herald sets itself (or the HTTP stack owns): a custom header may not replace them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'user-agent',
  'accept',
  'x-herald-event',
  'x-herald-instance',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

const headerName = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(256)
  .superRefine((value, ctx) => {
    if (/[\r\n]/.test(value)) ctx.addIssue({ code: 'custom', message: 'must not contain CR or LF (header injection)' });
    else if (!HEADER_NAME.test(value)) ctx.addIssue({ code: 'custom', message: 'contains characters not allowed in an HTTP header name' });
    else if (RESERVED_HEADERS.has(value.toLowerCase()))
      ctx.addIssue({ code: 'custom', message: `"${value}" is set by Herald and cannot be replaced` });
  });

const headerValue = z
  .string({ error: 'must be a string' })
  .max(8_192)
  .superRefine((value, ctx) => {
    if (/[\r\n]/.test(value)) ctx.addIssue({ code: 'custom', message: 'must not contain CR or LF (header injection)' });
    else if (!HEADER_VALUE.test(value))
      ctx.addIssue({
        code: 'custom',
        message: 'contains characters not allowed in an HTTP header value (control or non-ASCII characters)',
      });
  });

const signingSecrets = z
  .array(
    z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
      const problem = signingSecretProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    { error: 'must be an array of "whsec_…" secrets' },
  )
  .max(5, { error: 'at most 5 signing secrets (one current, the others being rotated out)' });

const name = z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(200);
const url = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(2_000);
const owner = z.string({ error: 'must be a user id (string) or null' }).min(1).nullable();
const note = z.string({ error: 'must be a string or null' }).max(1_000).nullable();

export const createEndpointSchema = z
  .strictObject({
    name,
    url,
    header_name: headerName.nullable().optional(),
    header_value: headerValue.nullable().optional(),
    signing_secrets: signingSecrets.optional(),
    /** Admins only; a user token creates endpoints it owns. @default null (system) */
    owner: owner.optional(),
    note: note.optional(),
    /** Do not send the `ping` check before creating. @default false */
    skip_ping: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((value, ctx) => {
    const hasName = value.header_name !== undefined && value.header_name !== null;
    const hasValue = value.header_value !== undefined && value.header_value !== null;
    if (hasName !== hasValue) {
      ctx.addIssue({
        code: 'custom',
        path: [hasName ? 'header_value' : 'header_name'],
        message: 'header_name and header_value go together',
      });
    }
  });
export type CreateEndpointInput = z.infer<typeof createEndpointSchema>;

export const updateEndpointSchema = z.strictObject({
  name: name.optional(),
  url: url.optional(),
  /** null removes the custom header (with its value). */
  header_name: headerName.nullable().optional(),
  header_value: headerValue.nullable().optional(),
  /** Replaces the list; [] or null removes signing. */
  signing_secrets: signingSecrets.nullable().optional(),
  owner: owner.optional(),
  note: note.optional(),
});
export type UpdateEndpointInput = z.infer<typeof updateEndpointSchema>;
