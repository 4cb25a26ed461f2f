import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllowList } from '@herald/contracts';
import { checkTarget } from './target-guard.js';
import { postWebhook, systemResolver, type Resolver } from './transport.js';
import { HttpSink } from './testing/http-sink.js';

/** A resolver for names under `.test`; nothing real is asked. */
const fakeDns: Resolver = (hostname) => {
  const table: Record<string, Array<{ address: string; family: 4 | 6 }>> = {
    'internal.test': [{ address: '10.0.0.5', family: 4 }],
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '192.168.0.7', family: 4 },
    ],
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
    'public.test': [{ address: '93.184.216.34', family: 4 }],
    'sink.test': [{ address: '127.0.0.1', family: 4 }],
  };
  const found = table[hostname];
  return found
    ? Promise.resolve(found)
    : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
};

describe('checkTarget (SSRF guard)', () => {
  const refused: ReadonlyArray<readonly [string, string]> = [
    [
      'http://127.0.0.1/',
      'refusing http://127.0.0.1/: resolves to 127.0.0.1 (loopback); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=127.0.0.0/8',
    ],
    [
      'http://2130706433/',
      'refusing http://2130706433/: resolves to 127.0.0.1 (loopback); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=127.0.0.0/8',
    ],
    [
      'http://0177.0.0.1/',
      'refusing http://0177.0.0.1/: resolves to 127.0.0.1 (loopback); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=127.0.0.0/8',
    ],
    [
      'http://0x7f.0.0.1/',
      'refusing http://0x7f.0.0.1/: resolves to 127.0.0.1 (loopback); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=127.0.0.0/8',
    ],
    [
      'http://[::ffff:127.0.0.1]/',
      'refusing http://[::ffff:127.0.0.1]/: resolves to ::ffff:7f00:1 (IPv4 127.0.0.1) (loopback); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=127.0.0.0/8',
    ],
    ['http://[::1]:8080/x', 'refusing http://[::1]:8080/x: resolves to ::1 (loopback); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=::1/128'],
    ['http://0.0.0.0/', 'refusing http://0.0.0.0/: resolves to 0.0.0.0 (unspecified); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=0.0.0.0/8'],
    [
      'http://169.254.169.254/latest/meta-data/',
      'refusing http://169.254.169.254/latest/meta-data/: resolves to 169.254.169.254 (metadata); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=169.254.169.254/32',
    ],
    [
      'http://[fe80::1]/',
      'refusing http://[fe80::1]/: resolves to fe80::1 (link-local); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=fe80::/10',
    ],
    [
      'http://[fd00::5]/',
      'refusing http://[fd00::5]/: resolves to fd00::5 (unique-local); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=fc00::/7',
    ],
    [
      'https://internal.test/hook',
      'refusing https://internal.test/hook: resolves to 10.0.0.5 (private); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=10.0.0.0/8',
    ],
    [
      'https://mixed.test/hook',
      'refusing https://mixed.test/hook: resolves to 192.168.0.7 (private); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=192.168.0.0/16',
    ],
    [
      'http://metadata.test/',
      'refusing http://metadata.test/: resolves to 169.254.169.254 (metadata); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=169.254.169.254/32',
    ],
  ];

  it.each(refused)('refuses %s naming the resolved address', async (url, message) => {
    expect(await checkTarget(url, [], fakeDns)).toEqual({ ok: false, kind: 'unsafe', message });
  });

  it('refuses localhost through the real system resolver', async () => {
    const result = await checkTarget('http://localhost:9/', [], systemResolver);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(
      /^refusing http:\/\/localhost:9\/: resolves to (127\.0\.0\.1|::1) \(loopback\); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=(127\.0\.0\.0\/8|::1\/128)$/,
    );
  });

  it('accepts a public host and returns the address it checked', async () => {
    const result = await checkTarget('https://public.test/hook', [], fakeDns);
    expect(result).toMatchObject({ ok: true, address: { address: '93.184.216.34', family: 4 } });
  });

  it('accepts loopback once it is allowed', async () => {
    expect(await checkTarget('http://0x7f.0.0.1:81/', parseAllowList('127.0.0.0/8'), fakeDns)).toMatchObject({
      ok: true,
      address: { address: '127.0.0.1' },
    });
  });

  it('reports unresolvable hosts and non-http URLs', async () => {
    expect(await checkTarget('http://does-not-exist.invalid/', [], systemResolver)).toMatchObject({ ok: false, kind: 'unresolvable' });
    expect(await checkTarget('ftp://public.test/', [], fakeDns)).toEqual({
      ok: false,
      kind: 'invalid',
      message: '"ftp://public.test/" uses ftp: only http and https are allowed',
    });
    expect(await checkTarget('not a url', [], fakeDns)).toMatchObject({ ok: false, kind: 'invalid' });
  });
});

describe('postWebhook connects to the checked address', () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await HttpSink.start();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('sends to the address the guard resolved, keeping the URL host in the Host header (no second lookup)', async () => {
    const check = await checkTarget(`http://sink.test:${sink.port}/pinned`, parseAllowList('127.0.0.0/8'), fakeDns);
    if (!check.ok) throw new Error(check.message);
    // `sink.test` exists only in the fake resolver: had the transport resolved it again, the request would fail.
    const result = await postWebhook({
      url: check.url,
      address: check.address,
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      timeoutMs: 2_000,
      now: new Date(),
    });
    expect(result).toEqual({ kind: 'response', status: 200 });
    expect(sink.requests).toHaveLength(1);
    expect(sink.requests[0]?.headers.host).toBe(`sink.test:${sink.port}`);
    expect(sink.requests[0]?.path).toBe('/pinned');
  });

  it('does not follow redirects', async () => {
    sink.respond(302, { Location: 'http://127.0.0.1:1/elsewhere' });
    const check = await checkTarget(sink.url('/redirect'), parseAllowList('127.0.0.0/8'), fakeDns);
    if (!check.ok) throw new Error(check.message);
    const result = await postWebhook({
      url: check.url,
      address: check.address,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
      now: new Date(),
    });
    expect(result).toEqual({ kind: 'response', status: 302 });
    sink.respond(200);
  });
});
