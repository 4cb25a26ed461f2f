/**
 * The alerts API (SPEC §7), paths relative to `/api/v1`:
 *   GET    /users/{id}/alerts?unread=&limit=&cursor=  → { items, next_cursor }
 *   GET    /users/{id}/alerts/count                   → { unread, total }
 *   GET    /users/{id}/alerts/stream                  → Server-Sent Events, `event: alert`
 *   POST   /users/{id}/alerts/{alertId}/read          → the alert (404 when absent)
 *   POST   /users/{id}/alerts/read-all                → { marked_read }
 *   DELETE /users/{id}/alerts/{alertId}               → 204 (404 when absent)
 *   DELETE /users/{id}/alerts                         → 204
 * Invariants: every request is authenticated by the gateway (401 without or with an unknown token,
 * 503 when the gateway cannot be asked); an admin token may act on any user, a user token only on
 * its own id (else 403); authorization is decided before any parameter is read; every error leaves
 * in Herald's error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { formatIssues, pathIdIssue, type HttpHandler, type Identity, type Logger, type PluginHttpContext } from '@herald/contracts';
import { toAlertJson, type AlertJson } from '../alert.js';
import type { AlertStore } from '../alert-store.js';
import type { LiveAlerts } from '../live-alerts.js';
import { ApiError, sendError, sendJson } from './api-error.js';
import { DEFAULT_HEARTBEAT_MS, EventStream } from './event-stream.js';
import { parseListParameters } from './list-query.js';

export interface AlertsApiOptions {
  readonly store: AlertStore;
  readonly live: LiveAlerts;
  readonly context: PluginHttpContext;
  /** Interval between SSE heartbeat comments, ms. @default 15000 */
  readonly heartbeatMs?: number;
  /** When aborted, open streams end (shutdown), so the HTTP server can close. */
  readonly signal?: AbortSignal;
}

type Route = (req: express.Request, res: ServerResponse) => Promise<void>;

function param(req: express.Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || value === '') throw new ApiError(400, 'validation_failed', `missing path parameter "${name}"`);
  const issue = pathIdIssue(name, value);
  if (issue) throw new ApiError(400, 'validation_failed', `invalid path parameter ${formatIssues([issue])}`, [issue]);
  return value;
}

async function authorize(context: PluginHttpContext, req: IncomingMessage, userId: string): Promise<Identity> {
  const header = req.headers.authorization;
  if (header === undefined || !/^Bearer\s+\S+$/i.test(header)) {
    throw new ApiError(
      401,
      'unauthorized',
      'Missing bearer token: send "Authorization: Bearer <token>" (create one with `npx herald token create`)',
    );
  }
  let identity: Identity | null;
  try {
    identity = await context.authenticate(header);
  } catch (error) {
    throw new ApiError(
      503,
      'unavailable',
      `Cannot check the token: the gateway did not answer (${(error as Error).message}); retry when it runs`,
    );
  }
  if (identity === null) throw new ApiError(401, 'unauthorized', 'Unknown or revoked token');
  if (identity.kind === 'user' && identity.userId !== userId) {
    throw new ApiError(403, 'forbidden', `A user token can only act on its own user; this one cannot act on user ${userId}`);
  }
  return identity;
}

function wrap(logger: Logger, route: Route): express.RequestHandler {
  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        logger.warn('alerts API request failed after the response started', { error });
        res.destroy();
        return;
      }
      if (error instanceof ApiError) {
        sendError(res, error);
        return;
      }
      logger.error('alerts API request failed', { error, method: req.method, path: req.originalUrl });
      sendError(res, new ApiError(500, 'internal', 'internal error; see the alert plugin log'));
    });
  };
}

function searchParams(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

export function createAlertsRouter(options: AlertsApiOptions): HttpHandler {
  const { store, live, context } = options;
  const logger = context.logger.child({ component: 'alerts-api' });
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const streams = new Set<EventStream>();
  options.signal?.addEventListener('abort', () => {
    for (const stream of [...streams]) stream.close();
  });
  const router = express.Router();
  const route = (r: Route): express.RequestHandler => wrap(logger, r);

  router.get(
    '/users/:id/alerts',
    route(async (req, res) => {
      const userId = param(req, 'id');
      await authorize(context, req, userId);
      const query = parseListParameters(searchParams(req));
      const page = await store.list({ userId, unread: query.unread, limit: query.limit, after: query.after });
      sendJson(res, 200, { items: page.items.map(toAlertJson), next_cursor: page.nextCursor });
    }),
  );

  router.get(
    '/users/:id/alerts/count',
    route(async (req, res) => {
      const userId = param(req, 'id');
      await authorize(context, req, userId);
      sendJson(res, 200, await store.count(userId));
    }),
  );

  router.get(
    '/users/:id/alerts/stream',
    route(async (req, res) => {
      const userId = param(req, 'id');
      await authorize(context, req, userId);
      if (options.signal?.aborted)
        throw new ApiError(503, 'unavailable', 'the alert plugin is shutting down; reconnect to another replica');
      // Alerts arriving between the subscription and the response headers are kept, in order.
      const pending: AlertJson[] = [];
      let forward: (alert: AlertJson) => void = (alert) => pending.push(alert);
      let unsubscribe: () => void;
      try {
        unsubscribe = await live.subscribe(userId, (alert) => forward(alert));
      } catch (error) {
        throw new ApiError(503, 'unavailable', `live alerts are unavailable: ${(error as Error).message}`);
      }
      if (req.destroyed || res.destroyed || res.writableEnded) {
        unsubscribe();
        return;
      }
      const stream = new EventStream(res, heartbeatMs);
      streams.add(stream);
      stream.whenClosed(() => {
        streams.delete(stream);
        unsubscribe();
      });
      forward = (alert) => stream.send('alert', alert, alert.id);
      for (const alert of pending.splice(0)) forward(alert);
    }),
  );

  router.post(
    '/users/:id/alerts/read-all',
    route(async (req, res) => {
      const userId = param(req, 'id');
      await authorize(context, req, userId);
      sendJson(res, 200, { marked_read: await store.markAllRead(userId) });
    }),
  );

  router.post(
    '/users/:id/alerts/:alertId/read',
    route(async (req, res) => {
      const userId = param(req, 'id');
      await authorize(context, req, userId);
      const alertId = param(req, 'alertId');
      const alert = await store.markRead(userId, alertId);
      if (alert === null) throw new ApiError(404, 'not_found', `User ${userId} has no alert ${alertId}`);
      sendJson(res, 200, toAlertJson(alert));
    }),
  );

  router.delete(
    '/users/:id/alerts',
    route(async (req, res) => {
      const userId = param(req, 'id');
      await authorize(context, req, userId);
      await store.deleteAll(userId);
      res.statusCode = 204;
      res.end();
    }),
  );

  router.delete(
    '/users/:id/alerts/:alertId',
    route(async (req, res) => {
      const userId = param(req, 'id');
      await authorize(context, req, userId);
      const alertId = param(req, 'alertId');
      if (!(await store.delete(userId, alertId))) throw new ApiError(404, 'not_found', `User ${userId} has no alert ${alertId}`);
      res.statusCode = 204;
      res.end();
    }),
  );

  const handler: HttpHandler = (req, res, next) => router(req as express.Request, res as express.Response, next);
  // The router itself, so tests can list the routes it registers (`test/openapi.test.ts`).
  return Object.assign(handler, { router });
}
