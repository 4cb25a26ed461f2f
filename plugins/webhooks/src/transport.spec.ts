/**
 * `postWebhook` against local servers: the status and `Retry-After` as data, one kept-alive
 * connection for many posts, the whole-request deadline, the caller's abort and a refused
 * connection as results, never as thrown errors.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { closeHttpReceivers, startHttpReceiver } from '@herald/contracts/testing';
import { postWebhook, type PostRequest } from './transport.js';

afterEach(closeHttpReceivers);

async function serve(handler: (res: ServerResponse) => void) {
  const receiver = await startHttpReceiver((_req, res) => handler(res));
  return { receiver, port: receiver.port, bodies: () => receiver.received.map((r) => r.body), connections: receiver.connections };
}

const request = (port: number, overrides: Partial<PostRequest> = {}): PostRequest => ({
  url: new URL(`http://127.0.0.1:${port}/hook`),
  address: { address: '127.0.0.1', family: 4 },
  headers: { 'content-type': 'application/json' },
  body: '{"n":1}',
  timeoutMs: 2_000,
  now: new Date('2026-12-02T00:00:00Z'),
  ...overrides,
});

describe('postWebhook', () => {
  it('returns the status and Retry-After (seconds or an HTTP date), the body unread', async () => {
    const { port } = await serve((res) => {
      res.writeHead(503, { 'Retry-After': 'Wed, 02 Dec 2026 00:00:30 GMT' });
      res.end('x'.repeat(256 * 1024));
    });
    expect(await postWebhook(request(port))).toEqual({ kind: 'response', status: 503, retryAfterMs: 30_000 });
  });

  it('keeps one connection alive for sequential posts', async () => {
    const { port, bodies, connections } = await serve((res) => res.end('ok'));
    for (let i = 0; i < 20; i++)
      expect(await postWebhook(request(port, { body: `{"n":${i}}` }))).toEqual({ kind: 'response', status: 200 });
    expect(bodies()).toEqual(Array.from({ length: 20 }, (_, i) => `{"n":${i}}`));
    expect(connections()).toBe(1);
  });

  it('reports a receiver that does not finish its answer within the timeout as a timeout', async () => {
    const { port } = await serve((res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const started = Date.now();
    expect(await postWebhook(request(port, { timeoutMs: 300 }))).toEqual({ kind: 'timeout', timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("reports the caller's abort (the plugin shutting down) as an error, not a timeout", async () => {
    const { port } = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await postWebhook(request(port, { signal: controller.signal, timeoutMs: 10_000 }));
    expect(result).toMatchObject({ kind: 'error', message: expect.stringMatching(/abort/i) });
  });

  it('reports a refused connection as an error naming the code', async () => {
    const { port, receiver } = await serve(() => undefined);
    await receiver.close();
    expect(await postWebhook(request(port))).toEqual({
      kind: 'error',
      message: expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });
  });
});
