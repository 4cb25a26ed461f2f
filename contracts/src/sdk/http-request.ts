/**
 * One outbound HTTP request for a plugin's transport, over `node:http` / `node:https` with
 * keep-alive agents (`keepAliveAgents`): every status is returned as data (redirects are not
 * followed, nothing is retried), the whole request — connect, send, answer — can be given a
 * deadline, and at most `maxBodyBytes` of the body are kept (the rest is read and dropped, so the
 * connection can be reused). The Slack, Teams and webhooks plugins send with it.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { keepAliveAgents, type KeepAliveAgents } from './keep-alive-agents.js';

export interface HttpRequestOptions {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent with its `content-length`. @default none */
  readonly body?: string;
  /** Deadline for the whole request, ms; past it the request fails with code `ETIMEDOUT`. @default none */
  readonly timeoutMs?: number;
  /** Aborts the request (e.g. the plugin stopping); fails with Node's `AbortError`. */
  readonly signal?: AbortSignal;
  /** Resolves the host name instead of the system resolver, e.g. to the address an SSRF check approved. */
  readonly lookup?: LookupFunction;
  /** Body bytes kept. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** @default agents shared by every request of the process */
  readonly agents?: KeepAliveAgents;
}

export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The first `maxBodyBytes` of the body. */
  readonly body: Buffer;
  /** The body was longer than `maxBodyBytes`. */
  readonly truncated: boolean;
}

/** Thrown (as the rejection) when `timeoutMs` passes before the answer is complete. */
export interface HttpDeadlineError extends Error {
  readonly code: 'ETIMEDOUT';
  readonly timeoutMs: number;
}

let sharedAgents: KeepAliveAgents | undefined;

export function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new TypeError(`only http and https URLs can be requested, got "${url.protocol}"`));
      return;
    }
    const { timeoutMs, signal } = options;
    // The deadline is a timer cleared when the request ends, not `AbortSignal.timeout` (joined to
    // `signal` with `AbortSignal.any`): that signal's timer stays pending for the whole timeout
    // after the answer came (10 s by default for a webhook), then aborts with a new DOMException,
    // so at 500 requests/s thousands of them lived long enough to be promoted. This way the
    // webhooks plugin used 6 % less CPU per event, peaked 6-10 MB lower, and ran full collections
    // every ≈ 2 s instead of ≈ 1.5 s (test/bench/README.md, "Thirteenth session").
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const settle = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const fail = (error: Error): void => {
      settle();
      if (timedOut && signal?.aborted !== true) {
        const late: HttpDeadlineError = Object.assign(new Error(`no answer within ${timeoutMs} ms`), {
          code: 'ETIMEDOUT' as const,
          timeoutMs: timeoutMs ?? 0,
        });
        reject(late);
      } else reject(error); // as Node raised it (code and message kept)
    };
    const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    const agents = options.agents ?? (sharedAgents ??= keepAliveAgents());
    const secure = url.protocol === 'https:';
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    try {
      const request = (secure ? https : http).request(
        url,
        {
          method: options.method,
          headers: body === undefined ? options.headers : { ...options.headers, 'content-length': String(body.length) },
          agent: secure ? agents.https : agents.http,
          ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
          ...(signal === undefined ? {} : { signal }),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size < maxBodyBytes) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('error', fail);
          // Node reports a connection cut mid-body as an 'aborted' error; should a close come without one, it still settles
          response.on('close', () => {
            if (!response.complete) fail(new Error(`connection closed before the response from ${url.href} ended`));
          });
          response.on('end', () => {
            settle();
            resolve({
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              headers: response.headers,
              body: Buffer.concat(chunks).subarray(0, maxBodyBytes),
              truncated: size > maxBodyBytes,
            });
          });
        },
      );
      request.on('error', fail);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          request.destroy(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref(); // the request's socket keeps the process alive, not its deadline
      }
      request.end(body);
    } catch (error) {
      fail(error as Error); // http.request throws only errors (bad options)
    }
  });
}
