/**
 * The console's only way to the server: the public HTTP API under `/api/v1` on the console's own
 * origin, with the session's bearer token in the `Authorization` header (never in a URL).
 */
import { signal } from '@preact/signals';

const TOKEN_KEY = 'herald.console.token';

/** The API token of this browser session (sessionStorage: gone when the tab's session ends). */
export const token = signal<string | null>(sessionStorage.getItem(TOKEN_KEY));

export function storeToken(value: string | null): void {
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
  token.value = value;
}

/** An error answered by the API: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ReadonlyArray<{ path?: string; message?: string }> = [],
  ) {
    super(message);
  }
}

export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/** Calls the API; resolves with the JSON body (undefined for 204), rejects with `ApiError`. */
export async function api<T>(method: string, path: string, body?: unknown, bearer: string | null = token.value): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, 'network', `The server could not be reached (${(error as Error).message}).`);
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad_response', `The server answered ${res.status} with a body that is not JSON.`);
    }
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: [] } } | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? `The server answered ${res.status}.`,
      error?.details ?? [],
    );
  }
  return json as T;
}

/** Every item of a paginated list (follows `next_cursor`). */
export async function listAll<T>(path: string, limit = 500): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const query = `${sep}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page: Page<T> = await api<Page<T>>('GET', `${path}${query}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return items;
}

/** A message for a failed call, naming the fields the API named. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.details
      .filter((d) => d.path !== undefined && d.message !== undefined)
      .map((d) => `${d.path}: ${d.message}`)
      .join('; ');
    return fields !== '' && !error.message.includes(fields) ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
