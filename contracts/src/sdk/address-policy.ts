/**
 * Which IP addresses a plugin may send to (SSRF guard, SPEC §5; the webhooks plugin's policy,
 * exported for every plugin that calls user-supplied URLs). Pure: address text in,
 * verdict out. Invariant: an address is refused when it falls in a non-public range (loopback,
 * private, link-local, unique-local, cloud metadata, unspecified, multicast, reserved) unless an
 * operator range (the webhooks plugin reads them from `HERALD_WEBHOOKS_ALLOW_PRIVATE`) contains it.
 * Resolve the host yourself and judge every address it resolves to, then connect to the address
 * you judged (no second lookup), as the webhooks plugin's `target-guard.ts` does. IPv4-mapped and IPv4-embedding
 * IPv6 forms (`::ffff:127.0.0.1`, `64:ff9b::a00:1`) are judged by the IPv4 address they carry.
 */
import { isIP } from 'node:net';
import { HeraldError } from '../errors.js';

/** Why an address is not public. */
export type AddressCategory =
  'loopback' | 'private' | 'link-local' | 'unique-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

/** A parsed CIDR range. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly bits: number;
  /** Canonical text, e.g. `127.0.0.0/8`. */
  readonly text: string;
}

export type AddressVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly category: AddressCategory;
      /** The address judged: the embedded IPv4 address for mapped forms. */
      readonly address: string;
      /** The range it falls in, the value to add to `the allow list (HERALD_WEBHOOKS_ALLOW_PRIVATE for webhooks)` to allow it. */
      readonly range: string;
    };

function v4ToBigInt(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function v6ToBigInt(input: string): bigint | null {
  let text = input.replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = v4ToBigInt(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(tailV4 >> 16n).toString(16)}:${(tailV4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

function v4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.');
}

/** Parses `a.b.c.d/n` or `x:y::/n` (a bare address means a single host). */
export function parseCidr(text: string): Cidr | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const family = isIP(addressText);
  if (family !== 4 && family !== 6) return null;
  const width = family === 4 ? 32 : 128;
  const bitsText = slash >= 0 ? trimmed.slice(slash + 1) : String(width);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > width) return null;
  const value = family === 4 ? v4ToBigInt(addressText) : v6ToBigInt(addressText);
  if (value === null) return null;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  const base = value & mask;
  return { family, base, bits, text: `${family === 4 ? v4Text(base) : addressText}/${bits}` };
}

/**
 * Parses an allow list of comma-separated CIDRs (e.g. `HERALD_WEBHOOKS_ALLOW_PRIVATE`); throws
 * `HeraldError` (`invalid_configuration`) naming `variable` and every entry that is not a CIDR.
 * @param variable the name shown in the error. @default "HERALD_WEBHOOKS_ALLOW_PRIVATE"
 */
export function parseAllowList(text: string | undefined, variable = 'HERALD_WEBHOOKS_ALLOW_PRIVATE'): Cidr[] {
  if (text === undefined || text.trim() === '') return [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const bad = entries.filter((entry) => parseCidr(entry) === null);
  if (bad.length > 0) {
    throw new HeraldError(
      'invalid_configuration',
      `${variable} has entries that are not CIDR ranges: ${bad.map((b) => `"${b}"`).join(', ')}; ` +
        'use comma-separated ranges such as 127.0.0.0/8,::1/128',
    );
  }
  return entries.map((entry) => parseCidr(entry)).filter((c): c is Cidr => c !== null);
}

function contains(range: Cidr, family: 4 | 6, value: bigint): boolean {
  if (range.family !== family) return false;
  const width = family === 4 ? 32 : 128;
  const mask = range.bits === 0 ? 0n : ((1n << BigInt(range.bits)) - 1n) << BigInt(width - range.bits);
  return (value & mask) === range.base;
}

const table = (family: 4 | 6, rows: ReadonlyArray<readonly [string, AddressCategory]>): ReadonlyArray<readonly [Cidr, AddressCategory]> =>
  rows.map(([text, category]) => {
    const cidr = parseCidr(text);
    if (cidr === null || cidr.family !== family) throw new Error(`bad built-in range ${text}`);
    return [cidr, category] as const;
  });

/** Non-public IPv4 ranges, most specific first (metadata before link-local). */
const V4_RANGES = table(4, [
  ['169.254.169.254/32', 'metadata'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'private'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
]);

/** Non-public IPv6 ranges (IPv4-carrying prefixes are handled before this table). */
const V6_RANGES = table(6, [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fd00:ec2::254/128', 'metadata'],
  ['::/96', 'reserved'],
  ['100::/64', 'reserved'],
  ['2001:db8::/32', 'reserved'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
]);

/** Prefixes whose low 32 bits are an IPv4 address that decides (mapped, NAT64). */
const V4_CARRYING = [parseCidr('::ffff:0:0/96'), parseCidr('64:ff9b::/96')].filter((c): c is Cidr => c !== null);

/** Judges one resolved address against the built-in ranges and the operator's allow list. */
export function judgeAddress(address: string, allow: readonly Cidr[]): AddressVerdict {
  const family = isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (family !== 4 && family !== 6) {
    return { allowed: false, category: 'reserved', address, range: address };
  }
  const value = family === 4 ? v4ToBigInt(address) : v6ToBigInt(address);
  if (value === null) return { allowed: false, category: 'reserved', address, range: address };
  if (allow.some((range) => contains(range, family, value))) return { allowed: true };
  if (family === 6 && V4_CARRYING.some((range) => contains(range, 6, value))) {
    const embedded = value & 0xffffffffn;
    return judgeV4(v4Text(embedded), embedded, allow);
  }
  if (family === 4) return judgeV4(address, value, allow);
  for (const [range, category] of V6_RANGES) {
    if (contains(range, 6, value)) return { allowed: false, category, address, range: range.text };
  }
  return { allowed: true };
}

function judgeV4(text: string, value: bigint, allow: readonly Cidr[]): AddressVerdict {
  if (allow.some((range) => contains(range, 4, value))) return { allowed: true };
  for (const [range, category] of V4_RANGES) {
    if (contains(range, 4, value)) return { allowed: false, category, address: text, range: range.text };
  }
  return { allowed: true };
}
