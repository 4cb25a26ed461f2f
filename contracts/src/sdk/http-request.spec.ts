/**
 * `httpRequest` against a local server: what is sent, every status as data, the kept part of the
 * body, one kept-alive connection, the pinned address, the deadline and the caller's abort.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { closeHttpReceivers, startHttpReceiver } from '../testing/http-receiver.js';
import { httpRequest } from './http-request.js';

afterEach(closeHttpReceivers);

const serve = startHttpReceiver;

describe('httpRequest', () => {
  it('sends method, headers and body with its length, and returns a redirect as data without following it', async () => {
    const { base, received } = await serve((_req, res) => {
      res.writeHead(302, 'Found', { Location: '/elsewhere' });
      res.end('moved');
    });
    const response = await httpRequest(new URL(`${base}/hook?x=1`), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'héllo',
    });
    expect(response).toMatchObject({ status: 302, statusText: 'Found', truncated: false });
    expect(response.headers.location).toBe('/elsewhere');
    expect(response.body.toString('utf8')).toBe('moved');
    expect(received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/hook?x=1',
        body: 'héllo',
        headers: expect.objectContaining({ 'content-type': 'text/plain', 'content-length': '6' }),
      }),
    ]);
  });

  it('keeps maxBodyBytes of the body and says when there was more, reusing one connection', async () => {
    const { base, connections } = await serve((_req, res) => res.end('x'.repeat(100_000)));
    for (let i = 0; i < 5; i++) {
      const response = await httpRequest(new URL(base), { method: 'GET', maxBodyBytes: 10 });
      expect(response.body.toString()).toBe('x'.repeat(10));
      expect(response.truncated).toBe(true);
    }
    expect((await httpRequest(new URL(base), { method: 'GET', maxBodyBytes: 0 })).body).toHaveLength(0);
    expect(connections()).toBe(1);
  });

  it('connects where lookup says, the URL host kept in the Host header', async () => {
    const { port, received } = await serve((_req, res) => res.end());
    const lookups: string[] = [];
    const response = await httpRequest(new URL(`http://hooks.invalid:${port}/x`), {
      method: 'POST',
      lookup: (hostname, options, callback) => {
        lookups.push(hostname);
        if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else callback(null, '127.0.0.1', 4);
      },
    });
    expect(response.status).toBe(200);
    expect(lookups).toEqual(['hooks.invalid']);
    expect(received[0]?.headers.host).toBe(`hooks.invalid:${port}`);
  });

  it('fails with ETIMEDOUT past the deadline, and with the AbortError when the caller aborts', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    await expect(httpRequest(new URL(base), { method: 'GET', timeoutMs: 200 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      timeoutMs: 200,
      message: 'no answer within 200 ms',
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(httpRequest(new URL(base), { method: 'GET', timeoutMs: 10_000, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('keeps a network error as Node raised it (code and message)', async () => {
    const receiver = await serve(() => undefined);
    const { base } = receiver;
    await receiver.close();
    await expect(httpRequest(new URL(base), { method: 'GET' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      message: expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(httpRequest(new URL('ftp://127.0.0.1/x'), { method: 'GET' })).rejects.toThrow(
      'only http and https URLs can be requested, got "ftp:"',
    );
  });
});
