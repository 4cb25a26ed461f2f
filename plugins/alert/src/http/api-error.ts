/**
 * HTTP errors of the alerts API in Herald's one shape (SPEC §7):
 * `{ "error": { "code", "message", "details": [] } }`. Written with `node:http` primitives only, so
 * the handler works under Express and under a bare `node:http` server alike.
 */
import type { ServerResponse } from 'node:http';
import type { ValidationIssue } from '@herald/contracts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Stable code, the same vocabulary as the gateway's (`unauthorized`, `forbidden`, `not_found`, …). */
    readonly code: string,
    message: string,
    readonly details: readonly ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (error.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  sendJson(res, error.status, { error: { code: error.code, message: error.message, details: error.details } });
}
