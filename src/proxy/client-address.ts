/**
 * Who the client is: the TCP peer, unless the peer is a trusted proxy, in which case the right-most
 * X-Forwarded-For entry that is not itself trusted. Built once per process from GATEHOUSE_TRUSTED_PROXIES.
 */
import { BlockList, isIP } from 'node:net';

const MAPPED_IPV4_PREFIX = '::ffff:';

export function normalizeAddress(address: string): string {
  return address.startsWith(MAPPED_IPV4_PREFIX) && isIP(address.slice(MAPPED_IPV4_PREFIX.length)) === 4
    ? address.slice(MAPPED_IPV4_PREFIX.length)
    : address;
}

export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address, bits] = cidr.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
    this.empty = cidrs.length === 0;
  }

  isTrusted(address: string): boolean {
    if (this.empty) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client address for a request arriving from `peer` with the given X-Forwarded-For value. */
  clientAddress(peer: string, forwardedFor: string | string[] | undefined): string {
    if (forwardedFor === undefined || !this.isTrusted(peer)) return peer;
    const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let candidate = peer;
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = normalizeAddress(entries[i]!.trim());
      if (isIP(entry) === 0) return candidate;
      candidate = entry;
      if (!this.isTrusted(entry)) return entry;
    }
    return candidate;
  }
}
