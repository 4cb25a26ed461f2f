/**
 * The only network I/O of the webhooks plugin: DNS resolution and the HTTP POST (the SDK's
 * `httpRequest`: `node:http` / `node:https`, keep-alive connections).
 *
 * The POST connects to the address the SSRF guard checked — the request's `lookup` answers with
 * that address, so there is no second resolution and no DNS-rebinding window — while the URL (and
 * so the Host header and TLS SNI) stays the endpoint's. Redirects are not followed, nothing is
 * retried here (retries are the SDK's), the response body is drained unread (only the status
 * counts) and nothing asks for a compressed one. Node's own client rather than an HTTP library: it
 * is on the hot path of every webhook, and `got` cost the plugin CPU and memory per request
 * (test/bench/README.md, "Ninth session").
 */
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { httpRequest, parseRetryAfter } from '@herald/contracts';
import type { AttemptResult } from './errors.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address the system resolver returns (getaddrinfo, /etc/hosts). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    lookup(hostname, { all: true, order: 'verbatim' }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });

export interface PostRequest {
  readonly url: URL;
  /** The checked address to connect to. */
  readonly address: ResolvedAddress;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** For `Retry-After` given as an HTTP date. */
  readonly now: Date;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function pinnedLookup(address: ResolvedAddress) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    if (options.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
}

/** `<code>: <message>` (the code once); by shape, not `instanceof`: Node's own errors may come from another realm. */
function describe(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  if (typeof e.message !== 'string') return String(error);
  return typeof e.code === 'string' && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}

/**
 * POSTs the body; never throws: every failure is an `AttemptResult`. Past `timeoutMs` (the whole
 * request) it is a `timeout`, as is a connection the system gave up on (`ETIMEDOUT`).
 */
export async function postWebhook(request: PostRequest): Promise<AttemptResult> {
  try {
    const response = await httpRequest(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      timeoutMs: request.timeoutMs,
      lookup: pinnedLookup(request.address),
      maxBodyBytes: 0, // only the status counts
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    const retryAfter = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, request.now);
    return retryAfterMs === undefined
      ? { kind: 'response', status: response.status }
      : { kind: 'response', status: response.status, retryAfterMs };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ETIMEDOUT') return { kind: 'timeout', timeoutMs: request.timeoutMs };
    return { kind: 'error', message: describe(error) };
  }
}
