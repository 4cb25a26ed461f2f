import { describe, expect, it } from '@jest/globals';
import { judgeAddress, parseAllowList, parseCidr } from './address-policy.js';

describe('judgeAddress', () => {
  const refused: ReadonlyArray<readonly [string, string, string, string]> = [
    // address, category, judged address, range to allow
    ['127.0.0.1', 'loopback', '127.0.0.1', '127.0.0.0/8'],
    ['127.255.0.9', 'loopback', '127.255.0.9', '127.0.0.0/8'],
    ['10.1.2.3', 'private', '10.1.2.3', '10.0.0.0/8'],
    ['172.16.0.1', 'private', '172.16.0.1', '172.16.0.0/12'],
    ['172.31.255.255', 'private', '172.31.255.255', '172.16.0.0/12'],
    ['192.168.1.1', 'private', '192.168.1.1', '192.168.0.0/16'],
    ['100.64.0.1', 'private', '100.64.0.1', '100.64.0.0/10'],
    ['169.254.169.254', 'metadata', '169.254.169.254', '169.254.169.254/32'],
    ['169.254.10.1', 'link-local', '169.254.10.1', '169.254.0.0/16'],
    ['0.0.0.0', 'unspecified', '0.0.0.0', '0.0.0.0/8'],
    ['224.0.0.1', 'multicast', '224.0.0.1', '224.0.0.0/4'],
    ['255.255.255.255', 'reserved', '255.255.255.255', '240.0.0.0/4'],
    ['::1', 'loopback', '::1', '::1/128'],
    ['::', 'unspecified', '::', '::/128'],
    ['fe80::1', 'link-local', 'fe80::1', 'fe80::/10'],
    ['fc00::1', 'unique-local', 'fc00::1', 'fc00::/7'],
    ['fd12:3456::1', 'unique-local', 'fd12:3456::1', 'fc00::/7'],
    ['fd00:ec2::254', 'metadata', 'fd00:ec2::254', 'fd00:ec2::254/128'],
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.1', '127.0.0.0/8'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.1', '127.0.0.0/8'],
    ['::ffff:a9fe:a9fe', 'metadata', '169.254.169.254', '169.254.169.254/32'],
    ['64:ff9b::a00:1', 'private', '10.0.0.1', '10.0.0.0/8'],
  ];
  it.each(refused)('refuses %s as %s', (address, category, judged, range) => {
    expect(judgeAddress(address, [])).toEqual({ allowed: false, category, address: judged, range });
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(judgeAddress(address, [])).toEqual({ allowed: true });
  });

  it('allows exactly the ranges listed in HERALD_WEBHOOKS_ALLOW_PRIVATE', () => {
    const allow = parseAllowList('127.0.0.0/8, ::1/128');
    expect(judgeAddress('127.0.0.1', allow)).toEqual({ allowed: true });
    expect(judgeAddress('::1', allow)).toEqual({ allowed: true });
    expect(judgeAddress('::ffff:127.0.0.1', allow)).toEqual({ allowed: true });
    expect(judgeAddress('10.0.0.1', allow)).toMatchObject({ allowed: false, category: 'private' });
    expect(judgeAddress('169.254.169.254', allow)).toMatchObject({ allowed: false, category: 'metadata' });
  });
});

describe('parseAllowList', () => {
  it('is empty when unset or blank', () => {
    expect(parseAllowList(undefined)).toEqual([]);
    expect(parseAllowList('  ')).toEqual([]);
  });

  it('names every entry that is not a CIDR', () => {
    expect(() => parseAllowList('127.0.0.0/8,localhost,10.0.0.0/33')).toThrow(
      'HERALD_WEBHOOKS_ALLOW_PRIVATE has entries that are not CIDR ranges: "localhost", "10.0.0.0/33"; use comma-separated ranges such as 127.0.0.0/8,::1/128',
    );
  });

  it('normalises the base address of a range', () => {
    expect(parseCidr('10.1.2.3/8')).toMatchObject({ family: 4, bits: 8, text: '10.0.0.0/8' });
    expect(parseCidr('::1')).toMatchObject({ family: 6, bits: 128 });
  });
});
