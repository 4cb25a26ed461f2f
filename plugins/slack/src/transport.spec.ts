/**
 * `nodeHttpFetch`, the Slack client's HTTP, against local HTTP servers: what it sends, what the
 * client reads back, one kept-alive connection for many requests, and every way a request fails
 * (timeout through the client's own signal, redirect, oversized or undecodable body, multipart).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { closeHttpReceivers, startHttpReceiver } from '@herald/contracts/testing';
import { classifySlackError } from './errors.js';
import { nodeHttpFetch, slackWebApi } from './transport.js';

afterEach(closeHttpReceivers);

const serve = startHttpReceiver;

describe('nodeHttpFetch', () => {
  it('sends the method, headers and body, and answers with status, headers (any case) and body', async () => {
    const { base, received } = await serve((_req, res) => {
      res.writeHead(200, 'OK', { 'Content-Type': 'application/json', 'X-OAuth-Scopes': 'chat:write, users:read.email' });
      res.end('{"ok":true,"ts":"1.2"}');
    });
    const fetch = nodeHttpFetch();
    const response = await fetch(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer xoxb-1' },
      body: 'channel=%23security&text=hi',
    });
    expect(received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/api/chat.postMessage',
        body: 'channel=%23security&text=hi',
        headers: expect.objectContaining({ 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-1' }),
      }),
    ]);
    expect(response).toMatchObject({ ok: true, status: 200, statusText: 'OK', url: `${base}/api/chat.postMessage` });
    expect(response.headers.get('x-oauth-scopes')).toBe('chat:write, users:read.email');
    expect(response.headers.get('X-OAUTH-SCOPES')).toBe('chat:write, users:read.email');
    expect(response.headers.get('retry-after')).toBeNull();
    expect(Object.fromEntries(response.headers.entries())).toMatchObject({ 'content-type': 'application/json' });
    expect(await response.text()).toBe('{"ok":true,"ts":"1.2"}');
    expect(await response.json()).toEqual({ ok: true, ts: '1.2' });
    expect(Buffer.from(await response.arrayBuffer()).toString('utf8')).toBe('{"ok":true,"ts":"1.2"}');
  });

  it('reports a non-2xx answer as a response, not an error', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(503, 'Service Unavailable', { 'Retry-After': '7' });
      res.end('down');
    });
    const response = await nodeHttpFetch()(`${base}/api/chat.postMessage`, { method: 'POST', body: '' });
    expect(response).toMatchObject({ ok: false, status: 503, statusText: 'Service Unavailable' });
    expect(response.headers.get('Retry-After')).toBe('7');
    expect(await response.text()).toBe('down');
  });

  it('keeps one connection alive for sequential requests', async () => {
    const { base, received, connections } = await serve((_req, res) => res.end('{"ok":true}'));
    const fetch = nodeHttpFetch();
    for (let i = 0; i < 20; i++) await (await fetch(`${base}/api/a`, { method: 'POST', body: `n=${i}` })).text();
    expect(received.map((r) => r.body)).toEqual(Array.from({ length: 20 }, (_, i) => `n=${i}`));
    expect(connections()).toBe(1);
  });

  it('decodes a gzip body', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' });
      res.end(gzipSync('{"ok":true,"channel":"C1"}'));
    });
    expect(await (await nodeHttpFetch()(`${base}/api/x`, { method: 'POST', body: '' })).json()).toEqual({ ok: true, channel: 'C1' });
  });

  it('refuses a redirect, as fetch does with redirect: "error"', async () => {
    const { base, received } = await serve((req, res) => {
      if (req.url === '/api/x') {
        res.writeHead(302, { Location: `/elsewhere` });
        res.end();
      } else res.end('{"ok":true}');
    });
    await expect(nodeHttpFetch()(`${base}/api/x`, { method: 'POST', body: '', redirect: 'error' })).rejects.toThrow(
      `redirect refused: HTTP 302 from ${base}/api/x to /elsewhere`,
    );
    expect(received.map((r) => r.url)).toEqual(['/api/x']);
  });

  it('rejects a response cut off mid-body instead of waiting for it', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"ok":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(nodeHttpFetch()(`${base}/api/cut`, { method: 'POST', body: '' })).rejects.toThrow('aborted');
  });

  it('rejects an unsupported content encoding, an oversized body, a multipart body and a non-http URL, naming each', async () => {
    const { base } = await serve((req, res) => {
      if (req.url === '/zstd') {
        res.writeHead(200, { 'Content-Encoding': 'zstd' });
        res.end('x');
      } else res.end(Buffer.alloc(9 * 1024 * 1024, 0x61));
    });
    const fetch = nodeHttpFetch();
    await expect(fetch(`${base}/zstd`, { method: 'POST', body: '' })).rejects.toThrow('unsupported response content-encoding "zstd"');
    await expect(fetch(`${base}/big`, { method: 'POST', body: '' })).rejects.toThrow(
      `response body from ${base}/big is larger than 8388608 bytes`,
    );
    await expect(fetch(`${base}/upload`, { method: 'POST', body: new FormData() })).rejects.toThrow(
      'the slack plugin sends URL-encoded bodies only; multipart bodies (file uploads) are not supported',
    );
    await expect(fetch('ftp://127.0.0.1/api/', { method: 'POST', body: '' })).rejects.toThrow(
      'the Slack API URL must be http(s), got "ftp:" in ftp://127.0.0.1/api/',
    );
  });
});

describe('the Slack client over nodeHttpFetch', () => {
  it('ends a request Slack does not answer at the client timeout, as a retryable request error', async () => {
    const { base, received } = await serve(() => undefined);
    const api = slackWebApi({ apiUrl: `${base}/api/`, timeoutMs: 300 });
    const started = Date.now();
    const error = await api.postMessage('xoxb-1', { channel: '#security', text: 'hi', blocks: [], username: 'DefectDojo' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(received).toHaveLength(1);
    expect(error).toMatchObject({ code: 'slack_webapi_request_error' });
    expect(classifySlackError(error)).toMatchObject({ kind: 'retry' });
  });

  it('reads Slack errors and rate limits through it', async () => {
    let calls = 0;
    const { base } = await serve((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'Retry-After': '3' });
        res.end();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"ok":false,"error":"channel_not_found"}');
      }
    });
    const api = slackWebApi({ apiUrl: `${base}/api/`, timeoutMs: 2_000 });
    const post = () =>
      api.postMessage('xoxb-1', { channel: '#nowhere', text: 'hi', blocks: [], username: 'DefectDojo' }).then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(classifySlackError(await post())).toMatchObject({ kind: 'retry', afterMs: 3_000 });
    expect(classifySlackError(await post())).toMatchObject({ kind: 'failed', reason: 'Slack API error channel_not_found' });
  });
});
