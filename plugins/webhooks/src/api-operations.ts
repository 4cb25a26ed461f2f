/**
 * The webhooks API's operations for the gateway's OpenAPI document (paths relative to `/api/v1`,
 * as `createWebhooksApi` registers them), with the schemas it validates with
 * (`createEndpointSchema`, `updateEndpointSchema`, `webhooksListQuerySchema`).
 * `test/openapi.test.ts` checks the routes both ways and real answers against the schemas.
 */
import { z } from 'zod';
import { pageSchema, type ApiOperation } from '@herald/contracts';
import { createEndpointSchema, updateEndpointSchema } from './endpoint-input.js';
import { ENDPOINT_STATUSES } from './status.js';

export const DEFAULT_WEBHOOKS_LIST_LIMIT = 100;
export const MAX_WEBHOOKS_LIST_LIMIT = 500;

/** `GET /webhooks` query; the API checks `limit` with it. */
export const webhooksListQuerySchema = z.strictObject({
  owner: z
    .string()
    .optional()
    .describe('Admins: a user id lists that user\'s endpoints, "none" the system ones; a user token may only name itself'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_WEBHOOKS_LIST_LIMIT)
    .optional()
    .describe(`Page size, 1 to ${MAX_WEBHOOKS_LIST_LIMIT}; default ${DEFAULT_WEBHOOKS_LIST_LIMIT}`),
  cursor: z.string().optional().describe('The next_cursor of the previous page, unchanged'),
});

const timestamp = z.iso.datetime({ offset: true });

/** An endpoint as the API shows it (`toView`): secrets write-only. */
export const endpointViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string().describe('Credentials in the URL are never shown'),
  header_name: z.string().nullable(),
  header_value: z.strictObject({ configured: z.boolean() }),
  signing_secrets: z.strictObject({ configured: z.boolean() }),
  owner: z.string().nullable().describe('The owning user; null for a system endpoint'),
  status: z.enum(ENDPOINT_STATUSES),
  first_error: timestamp.nullable(),
  last_error: timestamp.nullable(),
  note: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

const base = { tag: 'webhooks', access: 'user', errors: [503] } as const;

export const WEBHOOKS_API: readonly ApiOperation[] = [
  {
    ...base,
    method: 'get',
    path: '/webhooks',
    summary: 'List webhook endpoints (a user token: the ones it owns)',
    query: webhooksListQuerySchema,
    responses: { 200: pageSchema(endpointViewSchema) },
  },
  {
    ...base,
    method: 'post',
    path: '/webhooks',
    summary: 'Create a webhook endpoint (pinged first unless skip_ping)',
    body: createEndpointSchema,
    responses: { 201: endpointViewSchema },
    errors: [409, 422, 503],
  },
  { ...base, method: 'get', path: '/webhooks/:id', summary: 'Get a webhook endpoint', responses: { 200: endpointViewSchema } },
  {
    ...base,
    method: 'patch',
    path: '/webhooks/:id',
    summary: 'Change a webhook endpoint',
    body: updateEndpointSchema,
    responses: { 200: endpointViewSchema },
  },
  { ...base, method: 'delete', path: '/webhooks/:id', summary: 'Delete a webhook endpoint', responses: { 204: null } },
  {
    ...base,
    method: 'post',
    path: '/webhooks/:id/test',
    summary: 'Send a ping to a webhook endpoint (its status is unchanged)',
    responses: { 200: z.strictObject({ event: z.literal('ping'), ok: z.boolean(), detail: z.string() }) },
  },
  {
    ...base,
    method: 'post',
    path: '/webhooks/:id/activate',
    summary: 'Activate a webhook endpoint (errors cleared)',
    responses: { 200: endpointViewSchema },
  },
  {
    ...base,
    method: 'post',
    path: '/webhooks/:id/deactivate',
    summary: 'Deactivate a webhook endpoint',
    responses: { 200: endpointViewSchema },
  },
];
