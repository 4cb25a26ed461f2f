/**
 * The SSRF guard (SPEC §5, run at create, update and every send): parse the URL, resolve its host
 * once, refuse when any address is not public (see `address-policy.ts`), and hand back the checked
 * address — the transport connects to exactly that address.
 *
 * Numeric host forms are normalised by the WHATWG URL parser before they are judged:
 * `http://2130706433/`, `http://0177.0.0.1/` and `http://0x7f.0.0.1/` all become 127.0.0.1, and
 * `http://[::ffff:127.0.0.1]/` is judged by its IPv4 address. Error messages name the resolved
 * address and the range that would allow it.
 */
import { isIP } from 'node:net';
import { judgeAddress, type Cidr } from '@herald/contracts';
import type { ResolvedAddress, Resolver } from './transport.js';

export type TargetCheck =
  | { readonly ok: true; readonly url: URL; readonly address: ResolvedAddress }
  /** `invalid`: not an http(s) URL; `unsafe`: refused address; `unresolvable`: DNS gave no answer. */
  | { readonly ok: false; readonly kind: 'invalid' | 'unsafe' | 'unresolvable'; readonly message: string };

/** What the API answers (and an endpoint's note says) for a URL with `user:password@`. */
export const URL_CREDENTIALS_MESSAGE =
  'the URL must not carry credentials (user:password@host): they would be stored and shown in plain text; ' +
  'remove them from the URL and send them in the custom header instead, e.g. "header_name": "Authorization", ' +
  '"header_value": "Basic <base64 of user:password>" (header_value is sealed at rest and never shown)';

/**
 * The URL with any `user:password@` replaced by `***@`: what may be shown, logged or stored in a
 * note. Text that is not a URL is returned unchanged unless it looks like it carries credentials.
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.username === '' && url.password === '') return raw;
    url.username = '***';
    url.password = '';
    return url.href;
  } catch {
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
  }
}

/** Parses an endpoint URL: absolute, http or https, with a host, without credentials. Returns the problem or the URL. */
export function parseEndpointUrl(raw: string): { ok: true; url: URL } | { ok: false; message: string } {
  let url: URL;
  const shown = redactUrl(raw);
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: `"${shown}" is not an absolute URL (expected e.g. https://hooks.example.com/herald)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `"${shown}" uses ${url.protocol.replace(/:$/, '')}: only http and https are allowed` };
  }
  if (url.hostname === '') return { ok: false, message: `"${shown}" has no host` };
  if (url.username !== '' || url.password !== '') return { ok: false, message: `"${shown}": ${URL_CREDENTIALS_MESSAGE}` };
  return { ok: true, url };
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Resolves and judges the URL's host. */
export async function checkTarget(raw: string, allow: readonly Cidr[], resolver: Resolver): Promise<TargetCheck> {
  const parsed = parseEndpointUrl(raw);
  if (!parsed.ok) return { ok: false, kind: 'invalid', message: parsed.message };
  const url = parsed.url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal === 4 || literal === 6) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = await resolver(host);
    } catch (error) {
      return { ok: false, kind: 'unresolvable', message: `cannot resolve ${host}: ${errorText(error)}` };
    }
    if (addresses.length === 0) return { ok: false, kind: 'unresolvable', message: `cannot resolve ${host}: no address` };
  }
  for (const resolved of addresses) {
    const verdict = judgeAddress(resolved.address, allow);
    if (verdict.allowed) continue;
    const shown = verdict.address === resolved.address ? resolved.address : `${resolved.address} (IPv4 ${verdict.address})`;
    return {
      ok: false,
      kind: 'unsafe',
      message: `refusing ${raw}: resolves to ${shown} (${verdict.category}); allow with HERALD_WEBHOOKS_ALLOW_PRIVATE=${verdict.range}`,
    };
  }
  const first = addresses[0];
  if (!first) return { ok: false, kind: 'unresolvable', message: `cannot resolve ${host}: no address` };
  return { ok: true, url, address: first };
}
