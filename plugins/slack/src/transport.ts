/**
 * The slack channel's only I/O: the official `@slack/web-api` client against `SLACK_API_URL`
 * (default `https://slack.com/api/`). The client's own retries are off (`retries: 0`,
 * `rejectRateLimitedCalls`): the SDK retries with backoff and honours `Retry-After`, and one
 * message must not hold a consumer slot for minutes. Errors keep the client's `code` for
 * `classifySlackError`.
 *
 * User ids found by `users.lookupByEmail` are cached per (token, email). The key is the email, so
 * a user whose Slack email changed is looked up again; misses (`users_not_found`) are not cached,
 * so a user who joins Slack later is found; hits expire after `userCacheTtlMs`.
 *
 * The client's HTTP goes through `nodeHttpFetch` (its documented `fetch` option) instead of
 * Node's global `fetch`: undici's fetch (WebAssembly HTTP parser, web streams per body) took the
 * plugin's peak from ≈ 87 to ≈ 103 MB under the bench's traffic, where `node:http` with a
 * keep-alive agent does the same requests (test/bench/README.md, "Ninth session").
 */
import type { IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { httpRequest } from '@herald/contracts';
import { LogLevel, WebClient, type FetchFunction } from '@slack/web-api';
import type { SlackBlock } from './render.js';

/** The request and response shapes of the client's `FetchFunction` (the package exports only the function type). */
type FetchRequestInit = NonNullable<Parameters<FetchFunction>[1]>;
type FetchResponse = Awaited<ReturnType<FetchFunction>>;

export interface SlackPostArgs {
  readonly channel: string;
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
  readonly username: string;
}

export interface SlackApi {
  /** `chat.postMessage`; resolves when Slack answered `ok: true`. */
  postMessage(token: string, args: SlackPostArgs): Promise<{ readonly channel: string; readonly ts: string }>;
  /** `users.lookupByEmail` (cached); `null` when Slack has no user with that email. */
  lookupUserId(token: string, email: string): Promise<string | null>;
}

export interface SlackWebApiOptions {
  /** Base URL of the Web API, with a trailing slash. @default "https://slack.com/api/" */
  readonly apiUrl?: string;
  /** Per-request timeout, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** How long a found user id is reused, ms. @default 3600000 (1 h) */
  readonly userCacheTtlMs?: number;
  /** Largest number of cached emails per token. @default 10000 */
  readonly userCacheSize?: number;
  /** Clock, for cache expiry. @default Date.now */
  readonly now?: () => number;
  /** The client's HTTP. @default `nodeHttpFetch()` */
  readonly fetch?: FetchFunction;
}

interface TokenState {
  readonly client: WebClient;
  readonly users: Map<string, { readonly id: string; readonly expiresAt: number }>;
}

/** Tokens kept at once; a changed token (new workspace or rotation) drops the oldest client and its cache. */
const MAX_TOKENS = 4;

export function slackWebApi(options: SlackWebApiOptions = {}): SlackApi {
  const apiUrl = options.apiUrl ?? 'https://slack.com/api/';
  const ttl = options.userCacheTtlMs ?? 60 * 60 * 1000;
  const maxUsers = options.userCacheSize ?? 10_000;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, TokenState>();
  const fetch = options.fetch ?? nodeHttpFetch();

  const state = (token: string): TokenState => {
    let found = tokens.get(token);
    if (!found) {
      found = {
        client: new WebClient(token, {
          slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          timeout: options.timeoutMs ?? 10_000,
          logLevel: LogLevel.ERROR,
          allowAbsoluteUrls: false,
          fetch,
        }),
        users: new Map(),
      };
      tokens.set(token, found);
      for (const old of tokens.keys()) {
        if (tokens.size <= MAX_TOKENS) break;
        tokens.delete(old);
      }
    }
    return found;
  };

  return {
    async postMessage(token, args) {
      const result = await state(token).client.chat.postMessage({
        channel: args.channel,
        text: args.text,
        blocks: args.blocks.map((block) => ({ ...block })),
        username: args.username,
        unfurl_links: false,
        unfurl_media: false,
      });
      return { channel: result.channel ?? args.channel, ts: result.ts ?? '' };
    },
    async lookupUserId(token, email) {
      const { client, users } = state(token);
      const key = email.toLowerCase();
      const cached = users.get(key);
      if (cached && cached.expiresAt > now()) return cached.id;
      users.delete(key);
      try {
        const result = await client.users.lookupByEmail({ email });
        const id = result.user?.id;
        if (id === undefined) return null;
        users.set(key, { id, expiresAt: now() + ttl });
        if (users.size > maxUsers) {
          const oldest = users.keys().next();
          if (!oldest.done) users.delete(oldest.value);
        }
        return id;
      } catch (error) {
        const e = error as { code?: unknown; data?: { error?: unknown } };
        if (e.code === 'slack_webapi_platform_error' && e.data?.error === 'users_not_found') return null;
        throw error;
      }
    },
  };
}

/** Largest response body `nodeHttpFetch` reads, bytes: Slack's answers are a few KB. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * The part of WHATWG `fetch` the Slack client uses (`FetchFunction`: a POST with a URL-encoded
 * string body, headers, `redirect: 'error'`, an abort signal for its timeout), over the SDK's
 * `httpRequest` (`node:http` / `node:https`, keep-alive connections). Redirects are never followed: as `fetch`
 * does with `redirect: 'error'` (what the client asks for), a redirect rejects the request, and
 * with `redirect: 'manual'` it is the response. A gzip, deflate or br body is decoded. Multipart
 * bodies (file uploads, which Herald never makes) are refused.
 */
export function nodeHttpFetch(): FetchFunction {
  return async (input: string | URL, init: FetchRequestInit = {}) => {
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`the Slack API URL must be http(s), got "${url.protocol}" in ${url.href}`);
    }
    if (init.body !== undefined && typeof init.body !== 'string') {
      throw new TypeError('the slack plugin sends URL-encoded bodies only; multipart bodies (file uploads) are not supported');
    }
    const response = await httpRequest(url, {
      method: init.method ?? 'GET',
      maxBodyBytes: MAX_RESPONSE_BYTES,
      ...(init.headers === undefined ? {} : { headers: init.headers }),
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location !== undefined && init.redirect !== 'manual') {
      throw new TypeError(`redirect refused: HTTP ${response.status} from ${url.href} to ${location}`);
    }
    if (response.truncated) throw new Error(`response body from ${url.href} is larger than ${MAX_RESPONSE_BYTES} bytes`);
    const body = decode(response.body, response.headers['content-encoding']);
    return fetchResponse(url.href, response.status, response.statusText, response.headers, body);
  };
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new Error(`unsupported response content-encoding "${encoding}"`);
  }
}

function fetchResponse(url: string, status: number, statusText: string, raw: IncomingHttpHeaders, body: Buffer): FetchResponse {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  const fetchHeaders: FetchResponse['headers'] = {
    get: (name) => headers.get(name.toLowerCase()) ?? null,
    entries: () => headers.entries(),
  };
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    url,
    headers: fetchHeaders,
    text: () => Promise.resolve(body.toString('utf8')),
    json: () => Promise.resolve(JSON.parse(body.toString('utf8')) as unknown),
    arrayBuffer: () => Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer),
  };
}
