/**
 * The alerts API's operations for the gateway's OpenAPI document (paths relative to `/api/v1`,
 * as `createAlertsRouter` registers them). `test/openapi.test.ts` checks that every route the
 * router registers is here and the other way round, and that real answers match the schemas.
 */
import { z } from 'zod';
import { pageSchema, type ApiOperation } from '@herald/contracts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../alert-store.js';

/** An alert as the API and the `alert` SSE events carry it (`toAlertJson`). */
export const alertJsonSchema = z.strictObject({
  id: z.string(),
  user_id: z.string(),
  title: z.string(),
  description: z.string(),
  url: z.string().nullable(),
  icon: z.string(),
  source: z.string(),
  created_at: z.iso.datetime({ offset: true }).describe('RFC 3339, millisecond precision'),
  read_at: z.iso.datetime({ offset: true }).nullable(),
  delivery_id: z.string(),
});

/** `GET /users/{id}/alerts` query; `parseListParameters` checks `limit` with it. */
export const alertListQuerySchema = z.strictObject({
  unread: z.enum(['true', 'false']).optional().describe('true: unread alerts only; false: read ones only; absent: all'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .optional()
    .describe(`Page size, 1 to ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}`),
  cursor: z.string().optional().describe('The next_cursor of the previous page, unchanged'),
});

const base = { tag: 'alerts', access: 'user', errors: [503] } as const;

export const ALERTS_API: readonly ApiOperation[] = [
  {
    ...base,
    method: 'get',
    path: '/users/:id/alerts',
    summary: "List a user's alerts, newest first",
    query: alertListQuerySchema,
    responses: { 200: pageSchema(alertJsonSchema) },
  },
  {
    ...base,
    method: 'get',
    path: '/users/:id/alerts/count',
    summary: "Count a user's alerts",
    responses: { 200: z.strictObject({ unread: z.number().int().min(0), total: z.number().int().min(0) }) },
  },
  {
    ...base,
    method: 'get',
    path: '/users/:id/alerts/stream',
    summary: "A user's new alerts, live (Server-Sent Events)",
    description:
      'Each new alert arrives as `event: alert` with the alert as JSON `data` and its id as `id`; comments keep the connection open.',
    responses: {
      200: {
        description: 'An event stream: `event: alert`, `data` an alert (the schema below)',
        contentType: 'text/event-stream',
        schema: alertJsonSchema,
      },
    },
  },
  {
    ...base,
    method: 'post',
    path: '/users/:id/alerts/read-all',
    summary: "Mark all of a user's alerts read",
    responses: { 200: z.strictObject({ marked_read: z.number().int().min(0).describe('Alerts that were unread') }) },
  },
  {
    ...base,
    method: 'post',
    path: '/users/:id/alerts/:alertId/read',
    summary: 'Mark one alert read',
    responses: { 200: alertJsonSchema },
  },
  { ...base, method: 'delete', path: '/users/:id/alerts', summary: "Delete all of a user's alerts", responses: { 204: null } },
  { ...base, method: 'delete', path: '/users/:id/alerts/:alertId', summary: 'Delete one alert', responses: { 204: null } },
];
