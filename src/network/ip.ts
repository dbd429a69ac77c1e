/**
 * Address arithmetic for IPAM: addresses are BigInt values of their bytes, so IPv4 and IPv6 share one
 * code path. Parsing and printing go through ipaddr.js. Pure functions.
 */
import ipaddr from 'ipaddr.js';

export type IpVersion = 4 | 6;

export interface Ip {
  version: IpVersion;
  value: bigint;
}

/** A network: its canonical first address and prefix length. */
export interface Cidr {
  version: IpVersion;
  prefixLength: number;
  first: bigint;
  last: bigint;
}

export interface IpRange {
  first: bigint;
  last: bigint;
}

export const addressBits = (version: IpVersion): number => (version === 4 ? 32 : 128);

function bytesToBigInt(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigIntToBytes(version: IpVersion, value: bigint): number[] {
  const bytes = new Array<number>(version === 4 ? 4 : 16);
  let n = value;
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return bytes;
}

/** An IPv4 address in dotted-quad form or an IPv6 address; undefined for anything else. */
export function parseIp(text: unknown): Ip | undefined {
  if (typeof text !== 'string' || text === '' || text.trim() !== text || text.includes('%')) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return { version: 4, value: bytesToBigInt(ipaddr.IPv4.parse(text).toByteArray()) };
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) {
    const v6 = ipaddr.IPv6.parse(text);
    return { version: 6, value: bytesToBigInt(v6.toByteArray()) };
  }
  return undefined;
}

/** The canonical text of an address (IPv6 compressed, lower case). */
export function formatIp(version: IpVersion, value: bigint): string {
  return ipaddr.fromByteArray(bigIntToBytes(version, value)).toString();
}

/** The canonical form of an address string, or undefined when it is not one. */
export function canonicalIp(text: unknown): string | undefined {
  const ip = parseIp(text);
  return ip ? formatIp(ip.version, ip.value) : undefined;
}

const mask = (version: IpVersion, prefixLength: number): bigint => {
  const host = BigInt(addressBits(version) - prefixLength);
  return ((1n << BigInt(addressBits(version))) - 1n) ^ ((1n << host) - 1n);
};

export function cidrOf(version: IpVersion, address: bigint, prefixLength: number): Cidr {
  const first = address & mask(version, prefixLength);
  const last = first | ((1n << BigInt(addressBits(version) - prefixLength)) - 1n);
  return { version, prefixLength, first, last };
}

/**
 * Parses "addr/len". `hostBits` tells whether host bits were set (10.0.0.1/24): upstream rejects that
 * for subnets and recommends the network address.
 */
export function parseCidr(text: unknown): (Cidr & { hostBits: boolean }) | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lenText)) return undefined;
  const prefixLength = Number(lenText);
  if (prefixLength > addressBits(ip.version)) return undefined;
  const cidr = cidrOf(ip.version, ip.value, prefixLength);
  return { ...cidr, hostBits: cidr.first !== ip.value };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.version, cidr.first)}/${cidr.prefixLength}`;
}

export const cidrContains = (cidr: Cidr, value: bigint): boolean => value >= cidr.first && value <= cidr.last;

export const rangesOverlap = (a: IpRange, b: IpRange): boolean => a.first <= b.last && b.first <= a.last;

export const rangeSize = (r: IpRange): bigint => r.last - r.first + 1n;

/**
 * The addresses of a subnet that may be handed to ports: IPv4 loses its network and broadcast
 * addresses, IPv6 its subnet-router anycast (first) address. Empty for /31, /32 and /128-like subnets.
 */
export function usableRange(cidr: Cidr): IpRange | undefined {
  const first = cidr.first + 1n;
  const last = cidr.version === 4 ? cidr.last - 1n : cidr.last;
  return first <= last ? { first, last } : undefined;
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergeRanges(ranges: IpRange[]): IpRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: IpRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1n) {
      if (r.last > prev.last) prev.last = r.last;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** `range` minus the addresses in `holes` (in order). */
export function subtractRanges(range: IpRange, holes: IpRange[]): IpRange[] {
  let pieces: IpRange[] = [{ ...range }];
  for (const h of mergeRanges(holes)) {
    const next: IpRange[] = [];
    for (const p of pieces) {
      if (!rangesOverlap(p, h)) {
        next.push(p);
        continue;
      }
      if (p.first < h.first) next.push({ first: p.first, last: h.first - 1n });
      if (p.last > h.last) next.push({ first: h.last + 1n, last: p.last });
    }
    pieces = next;
  }
  return pieces;
}

/** The fewest CIDRs that cover exactly `range` (like netaddr's iprange_to_cidrs). */
export function rangeToCidrs(version: IpVersion, range: IpRange): Cidr[] {
  const bits = addressBits(version);
  const out: Cidr[] = [];
  let start = range.first;
  while (start <= range.last) {
    let hostBits = 0;
    while (hostBits < bits) {
      const size = 1n << BigInt(hostBits + 1);
      if (start % size !== 0n || start + size - 1n > range.last) break;
      hostBits++;
    }
    out.push(cidrOf(version, start, bits - hostBits));
    start += 1n << BigInt(hostBits);
  }
  return out;
}

/** Merges CIDRs into the fewest covering the same addresses (like netaddr's cidr_merge). */
export function mergeCidrs(cidrs: Cidr[]): Cidr[] {
  if (cidrs.length === 0) return [];
  const version = cidrs[0].version;
  return mergeRanges(cidrs.map((c) => ({ first: c.first, last: c.last }))).flatMap((r) => rangeToCidrs(version, r));
}

/** The modified EUI-64 address of `mac` in a /64 prefix (SLAAC). */
export function eui64Address(prefix: Cidr, mac: string): bigint {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const iid = [b[0] ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]];
  let n = 0n;
  for (const x of iid) n = (n << 8n) | BigInt(x);
  return prefix.first | n;
}
