/**
 * The only network I/O of the webhooks plugin: DNS resolution and the HTTP POST (got).
 *
 * The POST connects to the address the SSRF guard checked — got's `dnsLookup` answers with that
 * address, so there is no second resolution and no DNS-rebinding window — while the URL (and so
 * the Host header and TLS SNI) stays the endpoint's. Redirects are not followed, nothing is retried
 * here (retries are the SDK's), and the response body is not decompressed (only the status counts).
 */
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import got, { type RequestError } from 'got';
import { parseRetryAfter } from '@herald/contracts';
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

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as RequestError).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** POSTs the body; never throws: every failure is an `AttemptResult`. */
export async function postWebhook(request: PostRequest): Promise<AttemptResult> {
  try {
    const response = await got.post(request.url, {
      body: request.body,
      headers: { ...request.headers },
      dnsLookup: pinnedLookup(request.address),
      followRedirect: false,
      throwHttpErrors: false,
      retry: { limit: 0 },
      decompress: false,
      timeout: { request: request.timeoutMs },
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const retryAfter: string | undefined = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(retryAfter, request.now);
    return retryAfterMs === undefined
      ? { kind: 'response', status: response.statusCode }
      : { kind: 'response', status: response.statusCode, retryAfterMs };
  } catch (error) {
    if ((error as RequestError).name === 'TimeoutError') return { kind: 'timeout', timeoutMs: request.timeoutMs };
    return { kind: 'error', message: describe(error) };
  }
}
