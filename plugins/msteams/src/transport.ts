/**
 * The msteams channel's only I/O: one JSON POST with `got` to the configured webhook URL. No
 * redirects (the URL is a credential), no retries inside got (the SDK retries), every status
 * returned as data for `classifyTeamsResponse`.
 */
import got from 'got';

export interface TeamsResponse {
  readonly statusCode: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

export interface TeamsTransport {
  post(url: string, body: unknown, signal?: AbortSignal): Promise<TeamsResponse>;
}

export interface GotTeamsTransportOptions {
  /** Whole-request timeout, ms. @default 10000 */
  readonly timeoutMs?: number;
  /** `User-Agent` header. @default "Herald" */
  readonly userAgent?: string;
}

export function gotTeamsTransport(options: GotTeamsTransportOptions = {}): TeamsTransport {
  return {
    async post(url, body, signal) {
      const response = await got.post(url, {
        json: body,
        headers: { 'content-type': 'application/json', 'user-agent': options.userAgent ?? 'Herald' },
        followRedirect: false,
        throwHttpErrors: false,
        retry: { limit: 0 },
        timeout: { request: options.timeoutMs ?? 10_000 },
        ...(signal === undefined ? {} : { signal }),
      });
      const retryAfter = response.headers['retry-after'];
      return { statusCode: response.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, body: response.body };
    },
  };
}
