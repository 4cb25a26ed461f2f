/**
 * A Slack-compatible Web API server on 127.0.0.1 for tests: `chat.postMessage` and
 * `users.lookupByEmail`, reading form-encoded or JSON bodies as `@slack/web-api` sends them,
 * answering `ok:false` errors and HTTP 429 with `Retry-After` when scripted to.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackPost {
  readonly at: number;
  readonly token: string;
  readonly channel: string;
  readonly text: string;
  readonly username: string;
  readonly blocks: unknown;
}

/** A scripted answer for the next `chat.postMessage`. */
export type ScriptedAnswer =
  { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number } | { readonly kind: 'error'; readonly error: string };

export interface SlackServer {
  /** `SLACK_API_URL`: `http://127.0.0.1:<port>/api/`. */
  readonly apiUrl: string;
  readonly posts: SlackPost[];
  /** Every `users.lookupByEmail` call, in order. */
  readonly lookups: string[];
  /** Times of answered 429s. */
  readonly rateLimitedAt: number[];
  /** Slack users by email. */
  readonly users: Map<string, string>;
  /** Answers given to the next `chat.postMessage` calls, in order, before normal operation resumes. */
  readonly script: ScriptedAnswer[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const params = new URLSearchParams(raw);
  const out: Record<string, unknown> = {};
  for (const [key, value] of params) out[key] = key === 'blocks' ? (JSON.parse(value) as unknown) : value;
  return out;
}

/** A string field of the request body; `''` when absent or not a string. */
function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startSlackServer(options: { token: string }): Promise<SlackServer> {
  const posts: SlackPost[] = [];
  const lookups: string[] = [];
  const rateLimitedAt: number[] = [];
  const users = new Map<string, string>();
  const script: ScriptedAnswer[] = [];
  let ts = 1_700_000_000;

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof body['token'] === 'string' ? body['token'] : '');
      if (bearer !== options.token) return send(res, 200, { ok: false, error: 'invalid_auth' });
      switch (req.url) {
        case '/api/users.lookupByEmail': {
          const email = field(body, 'email');
          lookups.push(email);
          const id = users.get(email);
          return id === undefined
            ? send(res, 200, { ok: false, error: 'users_not_found' })
            : send(res, 200, { ok: true, user: { id, profile: { email } } });
        }
        case '/api/chat.postMessage': {
          const next = script.shift();
          if (next?.kind === 'rate_limited') {
            rateLimitedAt.push(Date.now());
            return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(next.retryAfterSeconds) });
          }
          if (next?.kind === 'error') return send(res, 200, { ok: false, error: next.error });
          const channel = field(body, 'channel');
          const text = field(body, 'text');
          posts.push({ at: Date.now(), token: bearer, channel, text, username: field(body, 'username'), blocks: body['blocks'] });
          ts += 1;
          return send(res, 200, {
            ok: true,
            channel: channel.startsWith('#') ? 'C0SECURITY' : channel,
            ts: `${ts}.000100`,
            message: { text },
          });
        }
        default:
          return send(res, 200, { ok: false, error: 'unknown_method' });
      }
    })().catch((error: unknown) => send(res, 500, { ok: false, error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    posts,
    lookups,
    rateLimitedAt,
    users,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
