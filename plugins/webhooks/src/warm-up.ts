/**
 * The webhooks plugin's warm-up (the SDK's `warmUp` hook, issue 15 "no cold start"): renders,
 * signs and POSTs synthetic messages, 16 at a time (the plugin's default concurrency), through the
 * same functions real deliveries use (`renderMessage`, `buildHeaders`, `postWebhook`), to a server
 * it starts on 127.0.0.1 and closes afterwards. Nothing leaves the process's host, no endpoint or
 * database row is touched, and the SSRF guard is not involved (the address is the local server's).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { syntheticChannelMessage } from '@herald/contracts';
import { buildHeaders, renderMessage } from './render.js';
import { generateSigningSecret } from './signature.js';
import { postWebhook } from './transport.js';

export interface WarmUpOptions {
  /** Time spent at most, ms. @default 300 */
  readonly budgetMs?: number;
  /** POSTs at most. @default 480 */
  readonly maxRequests?: number;
  /** `User-Agent` version. */
  readonly version: string;
}

/** Returns how many synthetic webhooks were answered 200 by the local server. */
export async function warmUpWebhooks(options: WarmUpOptions): Promise<number> {
  const budgetMs = options.budgetMs ?? 1000;
  const maxRequests = options.maxRequests ?? 4000;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = new URL(`http://127.0.0.1:${port}/herald-warm-up`);
  const secrets = [generateSigningSecret()];
  const started = performance.now();
  let answered = 0;
  try {
    for (let sent = 0; sent < maxRequests && performance.now() - started < budgetMs; sent += 16) {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => {
          const request = renderMessage(syntheticChannelMessage('webhooks', sent + i));
          const headers = buildHeaders({
            request,
            version: options.version,
            customHeader: { name: 'X-Warm-Up', value: 'herald' },
            signingSecrets: secrets,
            timestampSeconds: Math.floor(Date.now() / 1000),
          });
          return postWebhook({
            url,
            address: { address: '127.0.0.1', family: 4 },
            headers,
            body: request.body,
            timeoutMs: 2_000,
            now: new Date(),
          });
        }),
      );
      answered += results.filter((r) => r.kind === 'response' && r.status === 200).length;
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return answered;
}
