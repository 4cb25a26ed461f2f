/**
 * Checks every API request passes before a controller sees it (SPEC §7, README "API input
 * limits"), each answering in the one error shape and naming what is wrong:
 *
 * - `requireJsonBody`: a body whose `Content-Type` is not JSON → 415 naming `application/json`.
 * - `refuseUnstorableInput`: a JSON body or query parameter carrying U+0000 (PostgreSQL cannot
 *   store it), or a body nested deeper than `MAX_JSON_DEPTH` → 400 naming the field.
 * - `PathIdPipe`: a path id longer than `MAX_PATH_ID_LENGTH` or with other characters than
 *   `A-Z a-z 0-9 . _ ~ : @ -` → 400 naming the parameter; `:eventId` follows the event id rule,
 *   `:token` (one-click unsubscribe) the token's shape.
 * - Form bodies (`application/x-www-form-urlencoded`) pass `requireJsonBody` only on the one-click
 *   unsubscribe route, where RFC 8058 mail clients send them.
 */
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  API_PREFIX,
  MAX_JSON_DEPTH,
  eventIdIssue,
  formatIssues,
  hasRequestBody,
  inspectJson,
  isJsonMediaType,
  pathIdIssue,
  unsupportedMediaTypeBody,
  type ValidationIssue,
} from '@herald/contracts';
import { unsubscribeTokenIssue } from '../unsubscribe/unsubscribe-token.js';
import { ApiError, type ErrorBody } from './error.filter.js';

type Next = (error?: unknown) => void;

function send(res: ServerResponse, status: number, body: ErrorBody): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** 415 for a request body that is not JSON; requests without a body pass. */
export function requireJsonBody(req: IncomingMessage, res: ServerResponse, next: Next): void {
  if (hasRequestBody(req.headers) && !isJsonMediaType(req.headers['content-type']) && !isUnsubscribeForm(req)) {
    send(res, 415, unsupportedMediaTypeBody(req.headers['content-type']));
    return;
  }
  next();
}

/** Where RFC 8058 mail clients POST `List-Unsubscribe=One-Click` as a form. */
export const UNSUBSCRIBE_PATH_PREFIX = `${API_PREFIX}/unsubscribe/`;

/** `handler`, except on the one-click unsubscribe route (served by the gateway, form bodies allowed). */
export function skipForUnsubscribe(
  handler: (req: IncomingMessage, res: ServerResponse, next: Next) => void,
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (req, res, next) => ((req.url ?? '').startsWith(UNSUBSCRIBE_PATH_PREFIX) ? next() : handler(req, res, next));
}

function isUnsubscribeForm(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' && req.method === 'POST' && (req.url ?? '').startsWith(UNSUBSCRIBE_PATH_PREFIX);
}

/** 400 for U+0000 in a query parameter or in the parsed JSON body, or a body nested too deep. */
export function refuseUnstorableInput(req: IncomingMessage & { body?: unknown; query?: unknown }, res: ServerResponse, next: Next): void {
  const issues: ValidationIssue[] = [];
  const url = new URL(req.url ?? '/', 'http://localhost');
  for (const [name, value] of url.searchParams) {
    if (name.includes('\u0000') || value.includes('\u0000')) {
      issues.push({
        path: name.replaceAll('\u0000', '\\u0000'),
        message: 'query parameter contains the NUL character (\\u0000)',
        expected: 'text without \\u0000',
      });
    }
  }
  if (req.body !== undefined) issues.push(...inspectJson(req.body, MAX_JSON_DEPTH).issues);
  if (issues.length > 0) {
    send(res, 400, { error: { code: 'validation_failed', message: `Invalid request: ${formatIssues(issues)}`, details: issues } });
    return;
  }
  next();
}

/** Validates every `@Param` as a path id (`eventId` as an event id). */
@Injectable()
export class PathIdPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param' || typeof value !== 'string' || metadata.data === undefined) return value;
    const issue =
      metadata.data === 'eventId'
        ? eventIdIssue('eventId', value)
        : metadata.data === 'token'
          ? unsubscribeTokenIssue('token', value)
          : pathIdIssue(metadata.data, value);
    if (issue) throw new ApiError(400, 'validation_failed', `Invalid path parameter ${formatIssues([issue])}`, [issue]);
    return value;
  }
}
