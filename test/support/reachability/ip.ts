// IPv4 arithmetic for the reachability model (parsing through ipaddr.js; addresses as uint32).
import ipaddr from 'ipaddr.js';

export interface Prefix {
  /** Network address (host bits cleared). */
  base: number;
  len: number;
  text: string;
}

function toUint(addr: ipaddr.IPv4): number {
  const [a, b, c, d] = addr.octets;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** The address as a uint32, or undefined when it is not an IPv4 address. */
export function v4(text: string | null | undefined): number | undefined {
  if (typeof text !== 'string' || !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return toUint(ipaddr.IPv4.parse(text));
}

export function isV6(text: string | null | undefined): boolean {
  return typeof text === 'string' && ipaddr.IPv6.isValid(text) && !ipaddr.IPv4.isValid(text);
}

export function ipText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** An IPv4 CIDR (host bits are cleared), or undefined when it is not one. */
export function prefix(cidr: string | null | undefined): Prefix | undefined {
  if (typeof cidr !== 'string') return undefined;
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr);
  } catch {
    return undefined;
  }
  const [addr, len] = parsed;
  if (addr.kind() !== 'ipv4' || !ipaddr.IPv4.isValidFourPartDecimal(cidr.slice(0, slash))) return undefined;
  const base = (toUint(addr as ipaddr.IPv4) & mask(len)) >>> 0;
  return { base, len, text: `${ipText(base)}/${len}` };
}

export function contains(p: Prefix, ip: number): boolean {
  return (ip & mask(p.len)) >>> 0 === p.base;
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  const len = Math.min(a.len, b.len);
  return (a.base & mask(len)) >>> 0 === (b.base & mask(len)) >>> 0;
}
