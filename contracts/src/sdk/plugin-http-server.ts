/**
 * The HTTP server of a plugin process (when `runPlugin` gets `httpPort`): health, metrics and the
 * plugin's API under `/api/v1`. It is an Express app, so a plugin's handler (an Express `Router`)
 * gets the same request and response helpers as when the gateway mounts it in all-in-one mode.
 *
 * Invariants: `/health/live` answers 200 while the process serves; `/health/ready` answers 200 only
 * when NATS is connected and the consumer is bound, 503 otherwise; any path nobody serves gets the
 * API's 404 JSON, and an error passed to `next(error)` the API's 500 JSON (SPEC §7 error shape).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
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

/** Starts listening; resolves once the port is bound. */
export async function startPluginHttpServer(options: PluginHttpServerOptions): Promise<PluginHttpServer> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', (_req, res, next) => {
    const base = options.health();
    const extra = Object.entries(options.readinessChecks ?? {});
    Promise.all(extra.map(async ([name, check]) => [name, (await runCheck(check)) ? 'ok' : 'failing'] as const))
      .then((results) => {
        const checks = { ...base, ...Object.fromEntries(results) };
        const ready = base.nats === 'connected' && base.consumer === 'bound' && results.every(([, state]) => state === 'ok');
        res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
      })
      .catch(next);
  });
  app.get('/metrics', (_req, res, next) => {
    options.metrics
      .metrics()
      .then((text) => {
        res.type(options.metrics.contentType).send(text);
      })
      .catch(next);
  });
  if (options.api) app.use(options.api);
  app.use((req: Request, res: Response) => {
    res.status(404).json(errorBody('not_found', `No route for ${req.method} ${req.originalUrl}`));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(error);
    if (status === 500) options.logger.error('plugin HTTP handler failed', { method: req.method, path: req.originalUrl, error });
    if (res.headersSent) {
      res.end();
      return;
    }
    const message = status === 500 ? 'Internal error' : error instanceof Error ? error.message : 'Bad request';
    res.status(status).json(errorBody(status === 500 ? 'internal_error' : 'bad_request', message));
  });
  const host = options.host ?? '0.0.0.0';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
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
