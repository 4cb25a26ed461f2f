/**
 * The HTTP server of a plugin process (when `runPlugin` gets `httpPort`): health, metrics and the
 * plugin's API under `/api/v1`. Plain `node:http` (no framework in the SDK): a plugin's handler is
 * Connect-style, so an Express `Router` the plugin brings in its own dependencies runs here as it
 * does when the gateway mounts it in all-in-one mode.
 *
 * Invariants: `/health/live` answers 200 while the process serves; `/health/ready` answers 200 only
 * when NATS is connected and the consumer is bound, 503 otherwise; any path nobody serves gets the
 * API's 404 JSON, and an error passed to `next(error)` the API's 500 JSON (SPEC §7 error shape).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { HttpHandler } from './http.js';

/** Named readiness checks a plugin adds (its database, …): resolve true when healthy. */
export type ReadinessChecks = Readonly<Record<string, () => Promise<boolean>>>;

const READINESS_CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: () => Promise<boolean>): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), READINESS_CHECK_TIMEOUT_MS).unref());
  return Promise.race([check().catch(() => false), timeout]);
}

/** What `/health/ready` reports. */
export interface PluginHealth {
  readonly nats: 'connected' | 'disconnected';
  readonly consumer: 'bound' | 'unbound';
}

export interface PluginHttpServerOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Interface to listen on. @default "0.0.0.0" */
  readonly host?: string;
  readonly health: () => PluginHealth;
  /** Further readiness checks by name (e.g. `database`), each given 2 s. @default none */
  readonly readinessChecks?: ReadinessChecks;
  readonly metrics: Registry;
  /** The plugin's handler, already mounted under `/api/v1` (see `pluginHttpHandler`). */
  readonly api: HttpHandler | null;
  readonly logger: Logger;
}

export interface PluginHttpServer {
  /** The bound port (the chosen one when `port` was 0). */
  readonly port: number;
  close(): Promise<void>;
}

function errorBody(code: string, message: string) {
  return { error: { code, message, details: [] as unknown[] } };
}

/** Status of an error passed to `next(error)`: a 4xx it carries (body parsers set one), else 500. */
function statusOf(error: unknown): number {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

function send(res: ServerResponse, status: number, body: string, contentType: string, head: boolean): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(head ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head = false): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', head);
}

/** Starts listening; resolves once the port is bound. */
export async function startPluginHttpServer(options: PluginHttpServerOptions): Promise<PluginHttpServer> {
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown): void => {
    const status = statusOf(error);
    if (status === 500) options.logger.error('plugin HTTP handler failed', { method: req.method, path: req.url, error });
    if (res.headersSent) {
      res.end();
      return;
    }
    const message = status === 500 ? 'Internal error' : error instanceof Error ? error.message : 'Bad request';
    sendJson(res, status, errorBody(status === 500 ? 'internal_error' : 'bad_request', message));
  };
  const notFound = (req: IncomingMessage, res: ServerResponse): void => {
    sendJson(res, 404, errorBody('not_found', `No route for ${req.method} ${req.url}`));
  };
  const readiness = async (): Promise<{ ready: boolean; checks: Record<string, string> }> => {
    const base = options.health();
    const extra = Object.entries(options.readinessChecks ?? {});
    const results = await Promise.all(extra.map(async ([name, check]) => [name, (await runCheck(check)) ? 'ok' : 'failing'] as const));
    const ready = base.nats === 'connected' && base.consumer === 'bound' && results.every(([, state]) => state === 'ok');
    return { ready, checks: { ...base, ...Object.fromEntries(results) } };
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const read = req.method === 'GET' || req.method === 'HEAD';
    const head = req.method === 'HEAD';
    if (read && path === '/health/live') return sendJson(res, 200, { status: 'ok' }, head);
    if (read && path === '/health/ready') {
      const { ready, checks } = await readiness();
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', checks }, head);
    }
    if (read && path === '/metrics') return send(res, 200, await options.metrics.metrics(), options.metrics.contentType, head);
    if (!options.api) return notFound(req, res);
    options.api(req, res, (error?: unknown) => (error === undefined ? notFound(req, res) : fail(req, res, error)));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => fail(req, res, error));
  });
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info('plugin HTTP server listening', { port, host });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long-lived responses (Server-Sent Events) would hold `close` open forever.
        server.closeAllConnections();
      }),
  };
}
