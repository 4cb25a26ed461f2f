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
 */
import { LogLevel, WebClient } from '@slack/web-api';
import type { SlackBlock } from './render.js';

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
