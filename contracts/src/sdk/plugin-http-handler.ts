/**
 * A plugin's HTTP API as one Connect-style handler mounted at the root of any Express app: the
 * plugin's own server (`runPlugin` with `httpPort`) or the all-in-one gateway's.
 *
 * Invariants: only paths under `/api/v1` reach the plugin, with the prefix stripped (`/api/v1/webhooks`
 * → `/webhooks`); every other path, and every path the plugin does not serve (it calls `next()`),
 * goes on to the next handler with the original URL restored, so several plugins and the gateway
 * can share one app. The plugin's `http(context)` factory runs once per handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasRequestBody, isJsonMediaType, unsupportedMediaTypeBody } from '../request-limits.js';
import type { HttpHandler, PluginHttpContext } from './http.js';
import type { PluginDefinition } from './plugin.js';

/** The path prefix of every HTTP API (SPEC §7). */
export const API_PREFIX = '/api/v1';

/** What `pluginHttpHandler` can serve from: a running plugin (its handler is shared) or a context. */
export type PluginHttpSource<Config> = { readonly apiHandler: HttpHandler | null } | PluginHttpContext<Config>;

function isRunning<Config>(source: PluginHttpSource<Config>): source is { readonly apiHandler: HttpHandler | null } {
  return 'apiHandler' in source;
}

/** Wraps a plugin-relative handler so it answers `/api/v1/...` and passes everything else on. */
export function mountUnderApiPrefix(inner: HttpHandler): HttpHandler {
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    const original = req.url ?? '/';
    const rest = original.startsWith(API_PREFIX) ? original.slice(API_PREFIX.length) : null;
    if (rest === null || (rest !== '' && !rest.startsWith('/') && !rest.startsWith('?'))) {
      next();
      return;
    }
    req.url = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
    // Every plugin API takes JSON bodies only: anything else is refused here, naming the type.
    if (hasRequestBody(req.headers) && !isJsonMediaType(req.headers['content-type'])) {
      req.url = original;
      const text = JSON.stringify(unsupportedMediaTypeBody(req.headers['content-type']));
      res.statusCode = 415;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(text));
      res.end(text);
      return;
    }
    inner(req, res, (error?: unknown) => {
      req.url = original;
      next(error);
    });
  };
}

/**
 * The `/api/v1` handler of a plugin, without a server: the all-in-one process mounts it on the
 * gateway's port (`app.use(pluginHttpHandler(plugin, running))`). A plugin without `http` gets a
 * handler that passes every request on.
 */
export function pluginHttpHandler<Config, Request>(
  plugin: PluginDefinition<Config, Request>,
  source: PluginHttpSource<Config>,
): HttpHandler {
  if (isRunning(source)) return source.apiHandler ?? ((_req, _res, next) => next());
  if (!plugin.http) return (_req, _res, next) => next();
  return mountUnderApiPrefix(plugin.http(source));
}
