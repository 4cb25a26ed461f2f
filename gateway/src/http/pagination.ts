/**
 * `limit` and `cursor` for lists the gateway holds in full (tokens, event types, channels,
 * schedules, memberships, product settings): every list endpoint answers
 * `{ items, next_cursor }` and refuses a bad `limit` or a cursor it did not issue with a 400
 * naming the parameter.
 *
 * Invariant: items are served in ascending order of `sortKey` (unique per item), and a cursor is
 * the key of the last item served, so the next page starts after it even when that item has
 * been deleted meanwhile.
 */
import { z } from 'zod';
import { formatIssues, type ValidationIssue } from '@herald/contracts';
import { ApiError } from './error.filter.js';

/** Page size when `limit` is absent. */
export const DEFAULT_LIST_LIMIT = 50;
/** Largest `limit` accepted. */
export const MAX_LIST_LIMIT = 500;

/** `limit` and `cursor` as the OpenAPI document shows them; `parsePageQuery` checks `limit` with it. */
export const pageQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT)
    .optional()
    .describe(`Page size, 1 to ${MAX_LIST_LIMIT}; default ${DEFAULT_LIST_LIMIT}`),
  cursor: z.string().optional().describe('The next_cursor of the previous page, unchanged'),
});

export interface PageQuery {
  readonly limit: number;
  /** The sort key of the last item already served; `undefined` for the first page. */
  readonly after: string | undefined;
}

const CURSOR_PREFIX = 'k:';

export function encodeListCursor(key: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${key}`, 'utf8').toString('base64url');
}

function decodeListCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const buffer = Buffer.from(cursor, 'base64url');
  if (buffer.toString('base64url') !== cursor) return undefined;
  const text = buffer.toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX) || text.length === CURSOR_PREFIX.length || text.includes('\u0000')) return undefined;
  return text.slice(CURSOR_PREFIX.length);
}

function single(query: Record<string, unknown>, name: string, issues: ValidationIssue[]): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    issues.push({ path: name, message: 'given more than once', expected: 'at most once' });
    return undefined;
  }
  return value;
}

/**
 * Reads `limit` (1…`MAX_LIST_LIMIT`, default `DEFAULT_LIST_LIMIT`) and `cursor` from a query;
 * any other parameter is refused too, naming it. Throws a 400 listing every bad parameter.
 */
export function parsePageQuery(query: unknown, allowed: readonly string[] = []): PageQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  for (const name of Object.keys(q)) {
    if (name !== 'limit' && name !== 'cursor' && !allowed.includes(name)) {
      issues.push({ path: name, message: 'is not a parameter of this list', expected: ['limit', 'cursor', ...allowed].join(', ') });
    }
  }
  let limit = DEFAULT_LIST_LIMIT;
  const limitRaw = single(q, 'limit', issues);
  if (limitRaw !== undefined) {
    const parsed = /^\d{1,6}$/.test(limitRaw) ? pageQuerySchema.shape.limit.safeParse(limitRaw) : undefined;
    if (parsed?.success && parsed.data !== undefined) limit = parsed.data;
    else
      issues.push({
        path: 'limit',
        message: `"${limitRaw.slice(0, 40)}" is not a valid page size`,
        expected: `an integer from 1 to ${MAX_LIST_LIMIT}`,
      });
  }
  let after: string | undefined;
  const cursorRaw = single(q, 'cursor', issues);
  if (cursorRaw !== undefined && cursorRaw !== '') {
    after = decodeListCursor(cursorRaw);
    if (after === undefined) {
      issues.push({
        path: 'cursor',
        message: 'is not a cursor this list issued',
        expected: 'the next_cursor of a previous page, unchanged',
      });
    }
  }
  if (issues.length > 0) throw new ApiError(400, 'validation_failed', `Invalid query: ${formatIssues(issues)}`, issues);
  return { limit, after };
}

/** One page of `items`, ordered by `sortKey`, starting after `query.after`. */
export function paginate<T>(
  items: readonly T[],
  sortKey: (item: T, index: number) => string,
  query: PageQuery,
): { items: T[]; next_cursor: string | null } {
  const keyed = items
    .map((item, index) => ({ item, key: sortKey(item, index) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const start = query.after === undefined ? 0 : keyed.findIndex((entry) => entry.key > query.after!);
  const rest = start === -1 ? [] : keyed.slice(start);
  const page = rest.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map((entry) => entry.item), next_cursor: rest.length > query.limit && last ? encodeListCursor(last.key) : null };
}

/** A sort key that keeps a list's own order: its position, zero-padded. */
export function positionKey(index: number): string {
  return String(index).padStart(8, '0');
}
