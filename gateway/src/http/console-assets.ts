/**
 * Serves the built console (`console/dist`, `npm run build`) at `/`: files under `/assets/` as
 * they are (names carry a content hash, so they are cached for a year), and the single-page app's
 * `index.html` for every other GET that is not the API (`/api/...`), health or metrics — so a
 * client route such as `/settings` (linked from every mail) opens the console.
 *
 * Every console response carries a Content-Security-Policy without inline script
 * (`script-src 'self'`): the console's bundle is one external file and renders every user-supplied
 * string as text.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import express from 'express';

/** Where `npm run build` writes the console, relative to this file in `gateway/src` or `gateway/dist`. */
export const DEFAULT_CONSOLE_DIR = resolve(import.meta.dirname, '..', '..', '..', 'console', 'dist');

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type Next = (error?: unknown) => void;

/** Paths the console never answers: the API, its documents, health and metrics. */
function isServerPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path.startsWith('/health/') || path === '/metrics' || path.startsWith('/metrics/');
}

function secure(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/** A connect-style handler serving the console from `dir` (default: the repository's `console/dist`). */
export function consoleAssets(dir: string = DEFAULT_CONSOLE_DIR): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const assets = express.static(resolve(dir, 'assets'), { index: false, fallthrough: false, immutable: true, maxAge: '365d' });
  const indexFile = resolve(dir, 'index.html');
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    if (isServerPath(path)) return next();
    secure(res);
    if (path.startsWith('/assets/')) {
      const original = req.url;
      req.url = (req.url ?? '').slice('/assets'.length);
      assets(req, res as express.Response, (error?: unknown) => {
        req.url = original;
        const status = (error as { status?: number } | undefined)?.status ?? 404;
        res.statusCode = status;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(status === 404 ? `No console asset ${path}\n` : `Console asset ${path} failed\n`);
      });
      return;
    }
    readFile(indexFile).then(
      (html) => {
        res.statusCode = 200;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('Content-Length', html.length);
        res.end(req.method === 'HEAD' ? undefined : html);
      },
      () => {
        res.statusCode = 503;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(`The Herald console is not built (${indexFile} is missing): run \`npm run build\`.\n`);
      },
    );
  };
}
