/**
 * The msteams channel's only I/O: one JSON POST to the configured webhook URL with the SDK's
 * `httpRequest` (`node:http` / `node:https`, keep-alive connections). No redirects (the URL is a credential), no retries (the SDK
 * retries), every status returned as data for `classifyTeamsResponse`. Node's own client rather
 * than an HTTP library: the plugin peaks ≈ 10 MB lower under traffic than it did with `got`
 * (test/bench/README.md, "Ninth session"), and one POST with a deadline is all it needs.
 */
import { httpRequest } from '@herald/contracts';

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
  return {
    async post(url, body, signal) {
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new TypeError(`the Teams webhook URL must be http(s), got "${target.protocol}"`);
      }
      const response = await httpRequest(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': userAgent },
        body: JSON.stringify(body),
        timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
        ...(signal === undefined ? {} : { signal }),
      });
      const retryAfter = response.headers['retry-after'];
      return {
        statusCode: response.status,
        retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
        body: response.body.toString('utf8'),
      };
    },
  };
}
