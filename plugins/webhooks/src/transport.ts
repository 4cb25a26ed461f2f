/**
 * The only network I/O of the webhooks plugin: DNS resolution and the HTTP POST (`node:http` /
 * `node:https`, one keep-alive agent per protocol).
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
import http from 'node:http';
import https from 'node:https';
import { keepAliveAgents, parseRetryAfter } from '@herald/contracts';
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

/** Keep-alive connections, shared by every endpoint (pooled per host and port). */
const agents = keepAliveAgents();

/** POSTs the body; never throws: every failure is an `AttemptResult`. */
export function postWebhook(request: PostRequest): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const { timeoutMs } = request;
    // the whole request — connect, send, answer — within timeoutMs
    const deadline = AbortSignal.timeout(timeoutMs);
    const body = Buffer.from(request.body);
    const secure = request.url.protocol === 'https:';
    let settled = false;
    const settle = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const fail = (error: unknown): void =>
      settle(
        deadline.aborted && request.signal?.aborted !== true ? { kind: 'timeout', timeoutMs } : { kind: 'error', message: describe(error) },
      );
    try {
      const post = (secure ? https : http).request(
        request.url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': body.length },
          agent: secure ? agents.https : agents.http,
          lookup: pinnedLookup(request.address),
          signal: request.signal === undefined ? deadline : AbortSignal.any([request.signal, deadline]),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const retryAfterMs = parseRetryAfter(response.headers['retry-after'], request.now);
          response.on('error', fail);
          response.on('end', () =>
            settle(retryAfterMs === undefined ? { kind: 'response', status } : { kind: 'response', status, retryAfterMs }),
          );
          response.resume();
        },
      );
      post.on('error', fail);
      post.end(body);
    } catch (error) {
      fail(error);
    }
  });
}
