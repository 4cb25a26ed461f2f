/**
 * The webhooks plugin's warm-up (the SDK's `warmUp` hook, issue 15 "no cold start"): renders
 * synthetic messages and sends them, 16 at a time (the plugin's default concurrency), through
 * `WebhookDispatcher.attempt` — the SSRF guard, signed headers, the POST and its classification,
 * as real deliveries — to a server it starts on 127.0.0.1 and closes afterwards. The dispatcher is
 * the plugin's own, allowing only that loopback address; nothing leaves the host, and no endpoint
 * or database row is touched.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCidr, syntheticChannelMessage } from '@herald/contracts';
import type { WebhookDispatcher } from './dispatcher.js';
import type { Endpoint } from './endpoint-store.js';
import { renderMessage } from './render.js';
import { generateSigningSecret } from './signature.js';

export interface WarmUpOptions {
  /** Time spent at most, ms. @default 1000 */
  readonly budgetMs?: number;
  /**
   * POSTs at most. @default 1024: the bench's first second at 500 events/s was no slower than with
   * 4 000, which a fast machine reached within the time budget, leaving tens of MB of garbage in
   * the heap before the first message (test/bench/README.md, "Fifth session").
   */
  readonly maxRequests?: number;
}

/** Returns how many synthetic webhooks the local server accepted. */
export async function warmUpWebhooks(dispatcher: WebhookDispatcher, options: WarmUpOptions = {}): Promise<number> {
  const budgetMs = options.budgetMs ?? 1_000;
  const maxRequests = options.maxRequests ?? 1_024;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const local = dispatcher.allowing([parseCidr('127.0.0.1/32')!]);
  const at = new Date();
  const endpoint: Endpoint = {
    id: 'herald-warm-up',
    name: 'herald-warm-up',
    url: `http://127.0.0.1:${port}/herald-warm-up`,
    header_name: 'X-Warm-Up',
    header_value: 'herald',
    signing_secrets: [generateSigningSecret()],
    owner: null,
    owner_name: null,
    status: 'active',
    first_error: null,
    last_error: null,
    note: null,
    created_at: at,
    updated_at: at,
  };
  const started = performance.now();
  let accepted = 0;
  try {
    for (let sent = 0; sent < maxRequests && performance.now() - started < budgetMs; sent += 16) {
      const verdicts = await Promise.all(
        Array.from({ length: 16 }, (_, i) => local.attempt(endpoint, renderMessage(syntheticChannelMessage('webhooks', sent + i)), 2_000)),
      );
      accepted += verdicts.filter((v) => v.kind === 'accepted').length;
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return accepted;
}
