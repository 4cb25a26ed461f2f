/**
 * Query parameters of `GET /users/{id}/alerts` → a typed query, or a 400 naming the parameter.
 * Pure. `unread=true` lists unread alerts only, `unread=false` read ones only, no `unread` all;
 * `limit` is 1…200 (default 50); `cursor` is a `next_cursor` from a previous page.
 */
import type { ValidationIssue } from '@herald/contracts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../alert-store.js';
import { decodeCursor, type CursorPosition } from '../cursor.js';
import { ApiError } from './api-error.js';
import { alertListQuerySchema } from './alerts-api.js';

export interface ListParameters {
  readonly unread: boolean | undefined;
  readonly limit: number;
  readonly after: CursorPosition | undefined;
}

/** Reads one parameter; a repeated parameter is refused rather than silently picking one. */
function single(params: URLSearchParams, name: string, issues: ValidationIssue[]): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) issues.push({ path: name, message: `given ${values.length} times`, expected: 'at most once' });
  return values[0];
}

/** Parses the list parameters; throws an `ApiError` (400, `validation_failed`) listing every bad one. */
export function parseListParameters(params: URLSearchParams): ListParameters {
  const issues: ValidationIssue[] = [];
  let unread: boolean | undefined;
  const unreadRaw = single(params, 'unread', issues);
  if (unreadRaw === 'true') unread = true;
  else if (unreadRaw === 'false') unread = false;
  else if (unreadRaw !== undefined)
    issues.push({ path: 'unread', message: `"${unreadRaw}" is not a boolean`, expected: '"true" or "false"' });

  let limit = DEFAULT_PAGE_SIZE;
  const limitRaw = single(params, 'limit', issues);
  if (limitRaw !== undefined) {
    const parsed = /^\d{1,6}$/.test(limitRaw) ? alertListQuerySchema.shape.limit.safeParse(limitRaw) : undefined;
    if (parsed?.success && parsed.data !== undefined) limit = parsed.data;
    else
      issues.push({ path: 'limit', message: `"${limitRaw}" is not a valid page size`, expected: `an integer from 1 to ${MAX_PAGE_SIZE}` });
  }

  let after: CursorPosition | undefined;
  const cursorRaw = single(params, 'cursor', issues);
  if (cursorRaw !== undefined && cursorRaw !== '') {
    const decoded = decodeCursor(cursorRaw);
    if (decoded === null)
      issues.push({ path: 'cursor', message: 'not a cursor this API issued', expected: 'the next_cursor of a previous page' });
    else after = decoded;
  }

  if (issues.length > 0) {
    throw new ApiError(
      400,
      'validation_failed',
      `invalid query parameter ${issues.map((i) => `"${i.path}"`).join(', ')}: ${issues.map((i) => i.message).join('; ')}`,
      issues,
    );
  }
  return { unread, limit, after };
}
