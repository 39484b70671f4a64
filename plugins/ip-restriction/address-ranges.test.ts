/** Unit: address parsing, CIDR ranges, merging and lookup of ip-restriction's compiled lists. */
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { describe, it } from 'node:test';
import { AddressRanges, entryError, parseIpv4, parseIpv6 } from './address-ranges.js';

describe('address parsing', () => {
  it('reads dotted-quad IPv4 and refuses anything else', () => {
    assert.equal(parseIpv4('0.0.0.0'), 0);
    assert.equal(parseIpv4('255.255.255.255'), 0xffff_ffff);
    assert.equal(parseIpv4('10.1.2.3'), (10 << 24) + (1 << 16) + (2 << 8) + 3);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1234.1.1.1', '::1']) assert.equal(parseIpv4(bad), null, bad);
  });

  it('reads IPv6 with ::, an IPv4 tail and a zone', () => {
    assert.equal(parseIpv6('::'), 0n);
    assert.equal(parseIpv6('::1'), 1n);
    assert.equal(parseIpv6('2001:db8::1'), (0x2001n << 112n) | (0xdb8n << 96n) | 1n);
    assert.equal(parseIpv6('::ffff:10.0.0.1'), (0xffffn << 32n) | 0x0a000001n);
    assert.equal(parseIpv6('fe80::1%eth0'), (0xfe80n << 112n) | 1n);
    assert.equal(parseIpv6('1:2:3:4:5:6:7:8'), 0x0001_0002_0003_0004_0005_0006_0007_0008n);
    for (const bad of ['', '1.2.3.4', ':::', '1::2::3', 'g::1']) assert.equal(parseIpv6(bad), null, bad);
  });

  it('explains a bad entry', () => {
    assert.equal(entryError('10.0.0.0/8'), null);
    assert.equal(entryError('2001:db8::/32'), null);
    assert.equal(entryError('10.0.0.1'), null);
    assert.equal(entryError('example.com'), '"example.com" is not an IP address or CIDR');
    assert.equal(entryError('10.0.0.0/33'), '"10.0.0.0/33" has an invalid prefix length (0–32)');
    assert.equal(entryError('::/129'), '"::/129" has an invalid prefix length (0–128)');
    assert.equal(entryError('10.0.0.0/'), '"10.0.0.0/" has an invalid prefix length (0–32)');
  });
});

describe('AddressRanges', () => {
  it('matches addresses and CIDRs of both families at their edges', () => {
    const ranges = new AddressRanges(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '0.0.0.0/32']);
    assert.equal(ranges.includes('10.255.255.255'), true);
    assert.equal(ranges.includes('11.0.0.0'), false);
    assert.equal(ranges.includes('9.255.255.255'), false);
    assert.equal(ranges.includes('192.168.1.7'), true);
    assert.equal(ranges.includes('192.168.1.8'), false);
    assert.equal(ranges.includes('0.0.0.0'), true);
    assert.equal(ranges.includes('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'), true);
    assert.equal(ranges.includes('2001:db9::'), false);
    assert.equal(ranges.includes('::1'), true);
    assert.equal(ranges.includes('::2'), false);
    assert.equal(ranges.includes('not an address'), null);
    assert.equal(ranges.includes(''), null);
  });

  it('masks a CIDR written with host bits set, and merges overlapping entries', () => {
    const ranges = new AddressRanges(['10.1.2.3/24', '10.1.2.0/25', '10.1.3.0/24']);
    assert.equal(ranges.includes('10.1.2.0'), true);
    assert.equal(ranges.includes('10.1.3.255'), true);
    assert.equal(ranges.includes('10.1.4.0'), false);
  });

  it('lets IPv4-mapped IPv6 entries and clients meet their IPv4 form', () => {
    assert.equal(new AddressRanges(['::ffff:10.0.0.0/104']).includes('10.9.9.9'), true);
    assert.equal(new AddressRanges(['::/0']).includes('203.0.113.5'), true);
    assert.equal(new AddressRanges(['10.0.0.0/8']).includes('::ffff:10.2.3.4'), true);
    assert.equal(new AddressRanges(['10.0.0.0/8']).includes('::ffff:11.2.3.4'), false);
  });

  it('agrees with node:net BlockList on a 100-entry list for random addresses', () => {
    const entries: string[] = [];
    const reference = new BlockList();
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const octets = () => Array.from({ length: 4 }, () => Math.floor(random() * 256)).join('.');
    for (let i = 0; i < 100; i++) {
      const bits = 8 + Math.floor(random() * 25);
      const address = octets();
      entries.push(`${address}/${bits}`);
      reference.addSubnet(address, bits, 'ipv4');
    }
    const ranges = new AddressRanges(entries);
    for (let i = 0; i < 5000; i++) {
      const address = octets();
      assert.equal(ranges.includes(address), reference.check(address, 'ipv4'), address);
    }
  });
});
