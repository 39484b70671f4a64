/**
 * A list of IPv4/IPv6 addresses and CIDRs compiled once per config into sorted, merged ranges, so a
 * request's check is one address parse and a binary search (a 100-entry list costs about what a
 * 1-entry one does), rather than a walk over every entry as node:net's BlockList does. IPv4 ranges are
 * numbers; IPv6 ranges are bigints. IPv4-mapped IPv6 entries (::ffff:a.b.c.d) also cover the IPv4
 * address, since the gateway reports such clients in IPv4 form.
 */
import { isIP } from 'node:net';

interface Range<T> {
  start: T;
  end: T;
}

const V4_MAX = 0xffff_ffff;
const V6_BITS = 128n;
const V6_MAX = (1n << V6_BITS) - 1n;
/** ::ffff:0:0/96, where IPv4-mapped addresses live. */
const MAPPED_V4_START = 0xffffn << 32n;
const MAPPED_V4_END = MAPPED_V4_START | 0xffff_ffffn;

/** Parses dotted-quad IPv4; null when it is not one. Hand-written: it runs for each request. */
export function parseIpv4(text: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57 && digits < 3) {
      octet = octet * 10 + (code - 48);
      if (octet > 255) return null;
      digits++;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

/** Parses IPv6 (with `::`, an embedded IPv4 tail, and a `%zone` ignored); null when it is not one. */
export function parseIpv6(text: string): bigint | null {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  if (isIP(address) !== 6) return null;
  const halves = address.split('::');
  const groups = (part: string | undefined): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = parseIpv4(group)!;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const words = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  let value = 0n;
  for (const word of words) value = (value << 16n) | BigInt(word);
  return value;
}

/** Sorts ranges and joins those that overlap or touch. */
function merged<T extends number | bigint>(ranges: Range<T>[]): Range<T>[] {
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range<T>[] = [];
  for (const range of ranges) {
    const last = out.at(-1);
    if (last && range.start <= (typeof last.end === 'bigint' ? last.end + 1n : (last.end as number) + 1)) {
      if (range.end > last.end) last.end = range.end;
    } else out.push({ ...range });
  }
  return out;
}

function contains<T extends number | bigint>(ranges: readonly Range<T>[], value: T): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const range = ranges[middle]!;
    if (value < range.start) high = middle - 1;
    else if (value > range.end) low = middle + 1;
    else return true;
  }
  return false;
}

/** Why an entry is not an address or CIDR; null when it is one. */
export function entryError(entry: string): string | null {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `"${entry}" is not an IP address or CIDR`;
  if (slash === -1) return null;
  const bits = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}" has an invalid prefix length (0–${max})`;
  return null;
}

export class AddressRanges {
  private readonly v4: Range<number>[];
  private readonly v6: Range<bigint>[];

  /** `entries` must have passed `entryError`. */
  constructor(entries: readonly string[]) {
    const v4: Range<number>[] = [];
    const v6: Range<bigint>[] = [];
    for (const entry of entries) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const v4Address = parseIpv4(address);
      if (v4Address !== null) {
        const hostBits = 32 - (bits === undefined ? 32 : Number(bits));
        const size = 2 ** hostBits;
        const start = Math.floor(v4Address / size) * size;
        v4.push({ start, end: Math.min(start + size - 1, V4_MAX) });
        continue;
      }
      const v6Address = parseIpv6(address)!;
      const hostBits = V6_BITS - BigInt(bits === undefined ? 128 : Number(bits));
      const hostMask = (1n << hostBits) - 1n;
      const start = v6Address & (V6_MAX ^ hostMask);
      const end = start | hostMask;
      v6.push({ start, end });
      // The part of the range inside ::ffff:0:0/96 also names IPv4 clients.
      if (end >= MAPPED_V4_START && start <= MAPPED_V4_END) {
        const from = start > MAPPED_V4_START ? start : MAPPED_V4_START;
        const to = end < MAPPED_V4_END ? end : MAPPED_V4_END;
        v4.push({ start: Number(from - MAPPED_V4_START), end: Number(to - MAPPED_V4_START) });
      }
    }
    this.v4 = merged(v4);
    this.v6 = merged(v6);
  }

  /** Whether `address` is in the list; null when it is not an IP address at all. */
  includes(address: string): boolean | null {
    const v4 = parseIpv4(address);
    if (v4 !== null) return contains(this.v4, v4);
    const v6 = parseIpv6(address);
    if (v6 === null) return null;
    if (v6 >= MAPPED_V4_START && v6 <= MAPPED_V4_END) return contains(this.v4, Number(v6 - MAPPED_V4_START));
    return contains(this.v6, v6);
  }
}
