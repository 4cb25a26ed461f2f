/**
 * The msteams channel's only I/O: one JSON POST to the configured webhook URL over `node:http` /
 * `node:https` with a keep-alive agent. No redirects (the URL is a credential), no retries (the SDK
 * retries), every status returned as data for `classifyTeamsResponse`. Node's own client rather
 * than an HTTP library: the plugin peaks ≈ 10 MB lower under traffic than it did with `got`
 * (test/bench/README.md, "Ninth session"), and one POST with a deadline is all it needs.
 */
import http from 'node:http';
import https from 'node:https';
import { keepAliveAgents } from '@herald/contracts';

export interface TeamsResponse {
  readonly statusCode: number;
  readonly retryAfter: string | undefined;
  /** The response body's first `MAX_BODY_CHARS` characters (it is only ever quoted in an outcome). */
  readonly body: string;
}

export interface TeamsTransport {
  post(url: string, body: unknown, signal?: AbortSignal): Promise<TeamsResponse>;
}

export interface HttpTeamsTransportOptions {
  /** Whole-request timeout (connect, send, answer), ms. @default 10000 */
  readonly timeoutMs?: number;
  /** `User-Agent` header. @default "Herald" */
  readonly userAgent?: string;
}

/** How much of a response body is kept, bytes. */
const MAX_BODY_BYTES = 64 * 1024;

export function httpTeamsTransport(options: HttpTeamsTransportOptions = {}): TeamsTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const userAgent = options.userAgent ?? 'Herald';
  const agents = keepAliveAgents();
  return {
    post(url, body, signal) {
      return new Promise<TeamsResponse>((resolve, reject) => {
        const target = new URL(url);
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
          reject(new TypeError(`the Teams webhook URL must be http(s), got "${target.protocol}"`));
          return;
        }
        const deadline = AbortSignal.timeout(timeoutMs);
        const payload = Buffer.from(JSON.stringify(body));
        const secure = target.protocol === 'https:';
        const request = (secure ? https : http).request(
          target,
          {
            method: 'POST',
            agent: secure ? agents.https : agents.http,
            signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
            headers: { 'content-type': 'application/json', 'content-length': payload.length, 'user-agent': userAgent },
          },
          (response) => {
            const chunks: Buffer[] = [];
            let kept = 0;
            response.on('data', (chunk: Buffer) => {
              if (kept >= MAX_BODY_BYTES) return;
              chunks.push(chunk);
              kept += chunk.length;
            });
            response.on('error', fail);
            response.on('end', () => {
              const retryAfter = response.headers['retry-after'];
              resolve({
                statusCode: response.statusCode ?? 0,
                retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
                body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'),
              });
            });
          },
        );
        function fail(error: Error): void {
          // the deadline's abort surfaces as a generic AbortError: say what happened
          reject(
            deadline.aborted && signal?.aborted !== true
              ? Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })
              : error,
          );
        }
        request.on('error', fail);
        request.end(payload);
      });
    },
  };
}
