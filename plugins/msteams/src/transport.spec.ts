/**
 * `httpTeamsTransport` against local HTTP servers: the JSON POST it sends, every status returned as
 * data (redirects not followed), one kept-alive connection, the whole-request deadline, the
 * caller's abort, and a long body cut to what an outcome quotes.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { closeHttpReceivers, startHttpReceiver } from '@herald/contracts/testing';
import { classifyTeamsError, classifyTeamsResponse } from './errors.js';
import { httpTeamsTransport } from './transport.js';

afterEach(closeHttpReceivers);

const serve = startHttpReceiver;

describe('httpTeamsTransport', () => {
  it('POSTs the card as JSON with its user agent and returns status, Retry-After and body', async () => {
    const { base, received } = await serve((_req, res) => {
      res.writeHead(429, { 'Retry-After': '12' });
      res.end('slow down');
    });
    const card = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { body: [] } }] };
    const response = await httpTeamsTransport({ userAgent: 'Herald-test' }).post(`${base}/webhook/abc?key=1`, card);
    expect(response).toEqual({ statusCode: 429, retryAfter: '12', body: 'slow down' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/webhook/abc?key=1' });
    expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Herald-test' });
    expect(JSON.parse(received[0]!.body)).toEqual(card);
    expect(classifyTeamsResponse(response.statusCode, response.retryAfter, response.body)).toEqual({
      kind: 'retry',
      reason: 'Teams answered HTTP 429: slow down',
      afterMs: 12_000,
    });
  });

  it('returns a redirect as data and does not follow it', async () => {
    const { base, received } = await serve((_req, res) => {
      res.writeHead(302, { Location: '/elsewhere' });
      res.end();
    });
    const response = await httpTeamsTransport().post(`${base}/webhook`, {});
    expect(response).toEqual({ statusCode: 302, retryAfter: undefined, body: '' });
    expect(received.map((r) => r.url)).toEqual(['/webhook']);
  });

  it('keeps one connection alive for sequential posts', async () => {
    const { base, received, connections } = await serve((_req, res) => res.end('1'));
    const transport = httpTeamsTransport();
    for (let i = 0; i < 20; i++) expect(await transport.post(`${base}/webhook`, { n: i })).toMatchObject({ statusCode: 200, body: '1' });
    expect(received.map((r) => JSON.parse(r.body) as unknown)).toEqual(Array.from({ length: 20 }, (_, i) => ({ n: i })));
    expect(connections()).toBe(1);
  });

  it('gives up at the whole-request deadline with ETIMEDOUT, a retryable error', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const started = Date.now();
    const error = await httpTeamsTransport({ timeoutMs: 300 })
      .post(`${base}/webhook`, {})
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', message: 'no answer within 300 ms' });
    expect(classifyTeamsError(error)).toEqual({ kind: 'retry', reason: 'Teams request failed: ETIMEDOUT: no answer within 300 ms' });
  });

  it("stops when the caller's signal aborts (the plugin shutting down)", async () => {
    const { base } = await serve(() => undefined);
    const controller = new AbortController();
    const posted = httpTeamsTransport({ timeoutMs: 10_000 }).post(`${base}/webhook`, {}, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(posted).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps only the first 64 KiB of a long body', async () => {
    const { base } = await serve((_req, res) => res.end('x'.repeat(1024 * 1024)));
    const response = await httpTeamsTransport().post(`${base}/webhook`, {});
    expect(response.body).toBe('x'.repeat(64 * 1024));
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(httpTeamsTransport().post('ftp://127.0.0.1/webhook', {})).rejects.toThrow(
      'the Teams webhook URL must be http(s), got "ftp:"',
    );
  });
});
