/**
 * The webhooks API (SPEC §7), paths relative to `/api/v1`:
 *   GET    /webhooks?owner=&limit=&cursor=  → { items, next_cursor }
 *   POST   /webhooks                        → 201 endpoint (pings it first unless "skip_ping": true)
 *   GET    /webhooks/{id}                   → endpoint
 *   PATCH  /webhooks/{id}                   → endpoint
 *   DELETE /webhooks/{id}                   → 204
 *   POST   /webhooks/{id}/test              → { event: "ping", ok, detail } (status unchanged)
 *   POST   /webhooks/{id}/activate          → endpoint, status active, errors cleared
 *   POST   /webhooks/{id}/deactivate        → endpoint, status inactive_permanent
 * Invariants: every request is authenticated by the gateway (401 without or with an unknown
 * token, 503 when the gateway cannot be asked); an admin manages every endpoint, a user token only
 * the endpoints it owns (others answer 404, as if absent) and creates endpoints owned by itself;
 * secrets are write-only (`{ "configured": true }`); URLs pass the SSRF guard at create and update;
 * every error leaves as `{ "error": { code, message, details } }`.
 */
import type { ServerResponse } from 'node:http';
import express from 'express';
import type { z } from 'zod';
import {
  formatIssues,
  inspectJson,
  pathIdIssue,
  toValidationIssues,
  type HttpHandler,
  type Identity,
  type Logger,
  type ValidationIssue,
  type Cidr,
} from '@herald/contracts';
import {
  DEFAULT_WEBHOOKS_LIST_LIMIT as DEFAULT_LIMIT,
  MAX_WEBHOOKS_LIST_LIMIT as MAX_LIMIT,
  webhooksListQuerySchema,
} from './api-operations.js';
import type { Clock } from './clock.js';
import { describeEndpoint, type WebhookDispatcher } from './dispatcher.js';
import { createEndpointSchema, updateEndpointSchema } from './endpoint-input.js';
import type { Endpoint, EndpointChanges, EndpointStore, OwnerFilter } from './endpoint-store.js';
import { WebhookError, type WebhookErrorCode } from './errors.js';
import { checkTarget, redactUrl } from './target-guard.js';
import type { Resolver } from './transport.js';

export interface WebhooksApiOptions {
  readonly store: EndpointStore;
  readonly dispatcher: WebhookDispatcher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `X-Herald-Instance` of pings. */
  readonly siteUrl: string;
  readonly allow: readonly Cidr[];
  readonly resolver: Resolver;
  /** The current request timeout (channel setting `timeout_seconds`), ms. */
  timeoutMs(): number;
  authenticate(authorization: string | undefined): Promise<Identity | null>;
}

const STATUS_OF: Record<WebhookErrorCode, number> = {
  validation_failed: 400,
  unsafe_target: 400,
  invalid_configuration: 500,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unauthorized: 401,
  ping_failed: 422,
  auth_unavailable: 503,
};

export interface EndpointView {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly header_name: string | null;
  readonly header_value: { readonly configured: boolean };
  readonly signing_secrets: { readonly configured: boolean };
  readonly owner: string | null;
  readonly status: string;
  readonly first_error: string | null;
  readonly last_error: string | null;
  readonly note: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export function toView(endpoint: Endpoint): EndpointView {
  return {
    id: endpoint.id,
    name: endpoint.name,
    // Rows stored before URLs with credentials were refused never show them (SPEC §5).
    url: redactUrl(endpoint.url),
    header_name: endpoint.header_name,
    header_value: { configured: endpoint.header_value !== null },
    signing_secrets: { configured: endpoint.signing_secrets.length > 0 },
    owner: endpoint.owner,
    status: endpoint.status,
    first_error: endpoint.first_error?.toISOString() ?? null,
    last_error: endpoint.last_error?.toISOString() ?? null,
    note: endpoint.note,
    created_at: endpoint.created_at.toISOString(),
    updated_at: endpoint.updated_at.toISOString(),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, details: readonly ValidationIssue[] = []): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  sendJson(res, status, { error: { code, message, details } });
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const unstorable = inspectJson(body ?? {}).issues;
  if (unstorable.length > 0) {
    throw new WebhookError('validation_failed', `invalid webhook endpoint: ${formatIssues(unstorable)}`, unstorable);
  }
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issues = toValidationIssues(result.error, body);
    throw new WebhookError(
      'validation_failed',
      `invalid webhook endpoint: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return result.data;
}

type Route = (req: express.Request, res: ServerResponse, identity: Identity) => Promise<void>;

/** A list cursor is base64url of `n:<name of the last endpoint served>`. */
const CURSOR_PREFIX = 'n:';

/** The endpoint name a list cursor points after; a cursor this API did not issue → 400 naming `cursor`. */
function decodeNameCursor(value: unknown): string {
  const text = typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url') : undefined;
  const decoded = text !== undefined && text.toString('base64url') === value ? text.toString('utf8') : '';
  const name = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (name === '' || name.includes('\u0000') || name.includes('\ufffd')) {
    throw new WebhookError(
      'validation_failed',
      'cursor is not a cursor this list issued: pass the next_cursor of a previous page unchanged',
      [{ path: 'cursor', message: 'is not a cursor this list issued', expected: 'the next_cursor of a previous page, unchanged' }],
    );
  }
  return name;
}

export function createWebhooksApi(options: WebhooksApiOptions): HttpHandler {
  const { store, clock } = options;

  const identify = async (req: express.Request): Promise<Identity> => {
    const header = req.headers.authorization;
    if (header === undefined || !/^Bearer\s+\S+$/i.test(header)) {
      throw new WebhookError(
        'unauthorized',
        'Missing bearer token: send "Authorization: Bearer <token>" (create one with `npx herald token create`)',
      );
    }
    let identity: Identity | null;
    try {
      identity = await options.authenticate(header);
    } catch (error) {
      throw new WebhookError(
        'auth_unavailable',
        `Cannot check the token: the gateway did not answer (${(error as Error).message}); retry when it runs`,
      );
    }
    if (identity === null) throw new WebhookError('unauthorized', 'Unknown or revoked token');
    return identity;
  };

  const wrap =
    (route: Route): express.RequestHandler =>
    (req, res, next) => {
      identify(req)
        .then((identity) => route(req, res, identity))
        .catch(next);
    };

  /** The endpoint if the caller may manage it; a user token gets 404 for endpoints it does not own. */
  const accessible = async (req: express.Request, identity: Identity): Promise<Endpoint> => {
    const id = String(req.params['id'] ?? '');
    const badId = pathIdIssue('id', id);
    if (badId) throw new WebhookError('validation_failed', `invalid path parameter ${formatIssues([badId])}`, [badId]);
    const endpoint = await store.get(id);
    if (!endpoint || (identity.kind === 'user' && endpoint.owner !== identity.userId)) {
      throw new WebhookError('not_found', `no webhook endpoint ${id}${identity.kind === 'user' ? ' owned by this user' : ''}`);
    }
    return endpoint;
  };

  const guardUrl = async (url: string): Promise<void> => {
    const check = await checkTarget(url, options.allow, options.resolver);
    if (check.ok || check.kind === 'unresolvable') return;
    const code = check.kind === 'unsafe' ? 'unsafe_target' : 'validation_failed';
    throw new WebhookError(code, check.message, [{ path: 'url', message: check.message }]);
  };

  const router = express.Router();
  router.use(express.json({ limit: '64kb', type: () => true }));

  router.get(
    '/',
    wrap(async (req, res, identity) => {
      const query = req.query;
      const limitRaw = query['limit'];
      const limitText = limitRaw === undefined ? undefined : typeof limitRaw === 'string' ? limitRaw : 'given more than once';
      const parsed =
        limitText !== undefined && /^\d{1,6}$/.test(limitText) ? webhooksListQuerySchema.shape.limit.safeParse(limitText) : undefined;
      const limit = limitText === undefined ? DEFAULT_LIMIT : parsed?.success ? (parsed.data ?? DEFAULT_LIMIT) : undefined;
      if (limit === undefined) {
        throw new WebhookError('validation_failed', `limit must be an integer from 1 to ${MAX_LIMIT}`, [
          { path: 'limit', message: `must be 1–${MAX_LIMIT}` },
        ]);
      }
      const cursor = query['cursor'] === undefined || query['cursor'] === '' ? null : decodeNameCursor(query['cursor']);
      const ownerParam = typeof query['owner'] === 'string' ? query['owner'] : undefined;
      const badOwner = ownerParam === undefined || ownerParam === 'none' ? undefined : pathIdIssue('owner', ownerParam);
      if (badOwner) throw new WebhookError('validation_failed', `invalid query parameter ${formatIssues([badOwner])}`, [badOwner]);
      let filter: OwnerFilter;
      if (identity.kind === 'user') {
        if (ownerParam !== undefined && ownerParam !== identity.userId)
          throw new WebhookError('forbidden', 'A user token can only list the endpoints it owns');
        filter = { kind: 'user', userId: identity.userId };
      } else {
        filter =
          ownerParam === undefined ? { kind: 'all' } : ownerParam === 'none' ? { kind: 'system' } : { kind: 'user', userId: ownerParam };
      }
      await store.reactivateDue(clock.now());
      const page = await store.list(filter, limit + 1, cursor);
      const items = page.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor = page.length > limit && last ? Buffer.from(`${CURSOR_PREFIX}${last.name}`, 'utf8').toString('base64url') : null;
      sendJson(res, 200, { items: items.map(toView), next_cursor: nextCursor });
    }),
  );

  router.post(
    '/',
    wrap(async (req, res, identity) => {
      const input = parse(createEndpointSchema, req.body);
      let owner: string | null;
      if (identity.kind === 'user') {
        if (input.owner !== undefined && input.owner !== identity.userId) {
          throw new WebhookError('forbidden', 'A user token can only create endpoints it owns (leave "owner" out)', [
            { path: 'owner', message: 'must be the caller' },
          ]);
        }
        owner = identity.userId;
      } else {
        owner = input.owner ?? null;
      }
      await guardUrl(input.url);
      const now = clock.now();
      const draft = {
        name: input.name,
        url: input.url,
        header_name: input.header_name ?? null,
        header_value: input.header_value ?? null,
        signing_secrets: input.signing_secrets ?? [],
        owner,
        note: input.note ?? null,
      };
      if (await store.nameTaken(draft.name)) {
        throw new WebhookError('conflict', `a webhook endpoint named "${draft.name}" already exists`, [
          { path: 'name', message: 'already taken' },
        ]);
      }
      if (input.skip_ping !== true) {
        const probe: Endpoint = {
          ...draft,
          id: 'new',
          owner_name: null,
          status: 'active',
          first_error: null,
          last_error: null,
          created_at: now,
          updated_at: now,
        };
        const verdict = await options.dispatcher.ping(probe, options.siteUrl, options.timeoutMs());
        if (verdict.kind !== 'accepted') {
          throw new WebhookError(
            'ping_failed',
            `Test of endpoint was not successful: ${verdict.note} (send "skip_ping": true to create it anyway)`,
            [{ path: 'url', message: verdict.note }],
          );
        }
      }
      const endpoint = await store.create(draft, now);
      options.logger.info('webhook endpoint created', { endpoint_id: endpoint.id, endpoint: endpoint.name, owner: endpoint.owner });
      sendJson(res, 201, toView(endpoint));
    }),
  );

  router.get(
    '/:id',
    wrap(async (req, res, identity) => {
      await store.reactivateDue(clock.now());
      sendJson(res, 200, toView(await accessible(req, identity)));
    }),
  );

  router.patch(
    '/:id',
    wrap(async (req, res, identity) => {
      const endpoint = await accessible(req, identity);
      const input = parse(updateEndpointSchema, req.body);
      if (identity.kind === 'user' && input.owner !== undefined && input.owner !== identity.userId) {
        throw new WebhookError('forbidden', 'A user token cannot give an endpoint to another owner', [
          { path: 'owner', message: 'must be the caller' },
        ]);
      }
      if (input.url !== undefined) await guardUrl(input.url);
      const headerName = input.header_name !== undefined ? input.header_name : endpoint.header_name;
      const headerValue = input.header_name === null ? null : input.header_value !== undefined ? input.header_value : endpoint.header_value;
      if ((headerName === null) !== (headerValue === null)) {
        const path = headerName === null ? 'header_name' : 'header_value';
        throw new WebhookError('validation_failed', 'header_name and header_value go together', [
          { path, message: 'header_name and header_value go together' },
        ]);
      }
      const changes: EndpointChanges = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.header_name !== undefined || input.header_value !== undefined
          ? { header_name: headerName, header_value: headerValue }
          : {}),
        ...(input.signing_secrets !== undefined ? { signing_secrets: input.signing_secrets ?? [] } : {}),
        ...(input.owner !== undefined ? { owner: input.owner } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
      };
      const updated = await store.update(endpoint.id, changes, clock.now());
      if (!updated) throw new WebhookError('not_found', `no webhook endpoint ${endpoint.id}`);
      sendJson(res, 200, toView(updated));
    }),
  );

  router.delete(
    '/:id',
    wrap(async (req, res, identity) => {
      const endpoint = await accessible(req, identity);
      await store.delete(endpoint.id);
      res.statusCode = 204;
      res.end();
    }),
  );

  router.post(
    '/:id/test',
    wrap(async (req, res, identity) => {
      const endpoint = await accessible(req, identity);
      const verdict = await options.dispatcher.ping(endpoint, options.siteUrl, options.timeoutMs());
      const ok = verdict.kind === 'accepted';
      sendJson(res, 200, {
        event: 'ping',
        ok,
        detail: ok ? `Response status code: ${verdict.status}` : `${describeEndpoint(endpoint)}: ${verdict.note}`,
      });
    }),
  );

  router.post(
    '/:id/activate',
    wrap(async (req, res, identity) => {
      const endpoint = await accessible(req, identity);
      const updated = await store.setStatus(endpoint.id, 'active', null, clock.now());
      if (!updated) throw new WebhookError('not_found', `no webhook endpoint ${endpoint.id}`);
      sendJson(res, 200, toView(updated));
    }),
  );

  router.post(
    '/:id/deactivate',
    wrap(async (req, res, identity) => {
      const endpoint = await accessible(req, identity);
      const updated = await store.setStatus(endpoint.id, 'inactive_permanent', 'Deactivated by user', clock.now());
      if (!updated) throw new WebhookError('not_found', `no webhook endpoint ${endpoint.id}`);
      sendJson(res, 200, toView(updated));
    }),
  );

  router.use((error: unknown, _req: express.Request, res: express.Response, next: (error?: unknown) => void) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof WebhookError) {
      sendError(res, STATUS_OF[error.code], error.code, error.message, error.details);
      return;
    }
    const bodyError = error as { type?: unknown; message?: unknown };
    if (bodyError.type === 'entity.parse.failed') {
      sendError(res, 400, 'malformed_json', `malformed JSON body: ${String(bodyError.message)}`);
      return;
    }
    if (bodyError.type === 'entity.too.large') {
      sendError(res, 413, 'payload_too_large', 'request body over 64 KiB');
      return;
    }
    options.logger.error('webhooks API request failed', { error });
    sendError(res, 500, 'internal', `internal error: ${error instanceof Error ? error.message : String(error)}`);
  });

  const outer = express.Router();
  outer.use('/webhooks', router);
  // An express app (not a bare Router) so `req.query` exists on the SDK's node:http server too.
  const app = express();
  app.disable('x-powered-by');
  app.use(outer);
  const handler: HttpHandler = (req, res, next) => app(req as express.Request, res as express.Response, next);
  // The router itself, so tests can list the routes it registers (`test/openapi.test.ts`).
  return Object.assign(handler, { router: outer });
}
