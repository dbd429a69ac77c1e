// IP address arithmetic for the simulated Neutron: parsing and printing go through ipaddr.js, offsets
// and ranges are BigInt values of the address bytes. Pure functions, no state.
import ipaddr from 'ipaddr.js';

export type IpVersion = 4 | 6;

export interface IpValue {
  version: IpVersion;
  value: bigint;
}

/** A CIDR as written (host bits kept) with its network and last address. */
export interface Cidr {
  version: IpVersion;
  prefix: number;
  /** The address as written before the slash. */
  addr: bigint;
  first: bigint;
  last: bigint;
}

export interface IpRange {
  start: bigint;
  end: bigint;
}

const bitsOf = (v: IpVersion): number => (v === 4 ? 32 : 128);

function toBigInt(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBigInt(version: IpVersion, value: bigint): number[] {
  const len = version === 4 ? 4 : 16;
  const bytes = new Array<number>(len);
  let n = value;
  for (let i = len - 1; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return bytes;
}

/** Parses an IPv4 (strict dotted quad) or IPv6 address; undefined when it is not one. */
export function parseIp(text: unknown): IpValue | undefined {
  if (typeof text !== 'string' || text.trim() !== text || text === '') return undefined;
  if (text.includes('%')) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { version: 4, value: toBigInt(ipaddr.IPv4.parse(text).toByteArray()) };
  }
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) {
    return { version: 6, value: toBigInt(ipaddr.IPv6.parse(text).toByteArray()) };
  }
  return undefined;
}

export function formatIp(version: IpVersion, value: bigint): string {
  const addr = ipaddr.fromByteArray(fromBigInt(version, value));
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

/** The canonical text of an address (lower-case, compressed IPv6); undefined if not an address. */
export function canonicalIp(text: unknown): string | undefined {
  const ip = parseIp(text);
  return ip ? formatIp(ip.version, ip.value) : undefined;
}

/** Parses "addr/prefix" (host bits allowed); a bare address when `allowBare` (taken as /32 or /128). */
export function parseCidr(text: unknown, allowBare = false): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0 && !allowBare) return undefined;
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const bits = bitsOf(ip.version);
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > bits) return undefined;
  }
  const hostBits = BigInt(bits - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  const last = first | ((1n << hostBits) - 1n);
  return { version: ip.version, prefix, addr: ip.value, first, last };
}

/** "network/prefix" of a CIDR (host bits cleared). */
export function cidrNetworkText(c: Cidr): string {
  return `${formatIp(c.version, c.first)}/${c.prefix}`;
}

/** The CIDR as written, with the address canonicalised (what netaddr's str() gives). */
export function cidrText(c: Cidr): string {
  return `${formatIp(c.version, c.addr)}/${c.prefix}`;
}

export function cidrContains(c: Cidr, ip: IpValue): boolean {
  return ip.version === c.version && ip.value >= c.first && ip.value <= c.last;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

/** First usable host: the network address + 1 (the default gateway upstream picks). */
export function firstHost(c: Cidr): bigint | undefined {
  return c.first === c.last ? undefined : c.first + 1n;
}

/**
 * Whether an address may be given to a port on the subnet: inside the CIDR, not the network address
 * (IPv6 allows the subnet-router anycast address only for router ports), not the IPv4 broadcast.
 */
export function isValidHostIp(c: Cidr, ip: IpValue, routerPort = false): boolean {
  if (!cidrContains(c, ip)) return false;
  if (c.version === 6) return ip.value !== c.first || routerPort;
  if (c.prefix >= 31) return true;
  return ip.value !== c.first && ip.value !== c.last;
}

/** Whether a gateway address is unusable on the subnet (its network or IPv4 broadcast address). */
export function isInvalidGateway(c: Cidr, gw: IpValue): boolean {
  if (!cidrContains(c, gw)) return false;
  return c.version === 4 && c.prefix < 31 && (gw.value === c.first || gw.value === c.last);
}

/** The default allocation pools: every host address of the CIDR except the gateway. */
export function defaultPools(c: Cidr, gateway: bigint | null): IpRange[] {
  if (c.first === c.last) return [{ start: c.first, end: c.last }];
  const start = c.first + 1n;
  const end = c.version === 4 ? c.last - 1n : c.last;
  if (start >= end) return [];
  return subtractAddress({ start, end }, gateway);
}

function subtractAddress(r: IpRange, ip: bigint | null): IpRange[] {
  if (ip === null || ip < r.start || ip > r.end) return [r];
  const out: IpRange[] = [];
  if (ip > r.start) out.push({ start: r.start, end: ip - 1n });
  if (ip < r.end) out.push({ start: ip + 1n, end: r.end });
  return out;
}

export function rangeText(version: IpVersion, r: IpRange): string {
  return `${formatIp(version, r.start)}-${formatIp(version, r.end)}`;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function rangeSize(r: IpRange): bigint {
  return r.end - r.start + 1n;
}

/** The lowest address in the pools whose value is not in `used`. */
export function nextFreeIp(version: IpVersion, pools: IpRange[], used: ReadonlySet<bigint>): string | undefined {
  for (const pool of pools) {
    for (let candidate = pool.start; candidate <= pool.end; candidate += 1n) {
      if (!used.has(candidate)) return formatIp(version, candidate);
    }
  }
  return undefined;
}

/** The modified EUI-64 interface address for a MAC within a /64 prefix (SLAAC). */
export function eui64Address(prefix: Cidr, mac: string): string {
  const bytes = mac.split(':').map((h) => parseInt(h, 16));
  const iid = [bytes[0] ^ 0x02, bytes[1], bytes[2], 0xff, 0xfe, bytes[3], bytes[4], bytes[5]];
  let suffix = 0n;
  for (const b of iid) suffix = (suffix << 8n) | BigInt(b);
  const hostBits = BigInt(128 - prefix.prefix);
  const value = prefix.first | (suffix & ((1n << hostBits) - 1n));
  return formatIp(6, value);
}

const MAC_RE = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;

/** Canonical lower-case colon form of a unicast MAC; undefined if invalid. */
export function canonicalMac(text: unknown): string | undefined {
  if (typeof text !== 'string' || !MAC_RE.test(text)) return undefined;
  return text.toLowerCase().replace(/-/g, ':');
}

export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x01) === 1;
}
