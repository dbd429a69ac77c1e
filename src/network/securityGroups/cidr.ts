import ipaddr from 'ipaddr.js';
import type { Ethertype } from './model.js';

export interface ParsedPrefix {
  /** The prefix as given, with a length added to a bare address (10.0.0.5 → 10.0.0.5/32). */
  prefix: string;
  /** The network of the prefix (10.0.0.5/24 → 10.0.0.0/24). */
  network: string;
  ethertype: Ethertype;
}

/** Parses an IPv4 or IPv6 prefix or address; undefined when it is neither. */
export function parsePrefix(input: string): ParsedPrefix | undefined {
  const [addr, len, ...rest] = input.trim().split('/');
  if (rest.length > 0 || addr === '') return undefined;
  let kind: 'ipv4' | 'ipv6';
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) kind = 'ipv4';
  else if (ipaddr.IPv6.isValid(addr) && !addr.includes('%')) kind = 'ipv6';
  else return undefined;
  const max = kind === 'ipv4' ? 32 : 128;
  let bits = max;
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len)) return undefined;
    bits = Number(len);
    if (bits > max) return undefined;
  }
  const parsed = ipaddr.parse(addr);
  const shown = parsed.toString();
  const network = kind === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${shown}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${shown}/${bits}`);
  return { prefix: `${shown}/${bits}`, network: `${network.toString()}/${bits}`, ethertype: kind === 'ipv4' ? 'IPv4' : 'IPv6' };
}

/** The network of a stored prefix, or the prefix unchanged when it does not parse. */
export function networkOf(prefix: string): string {
  return parsePrefix(prefix)?.network ?? prefix;
}

/** The IP family of a CIDR (a subnet's), or undefined when it does not parse. */
export function ethertypeOf(cidr: string): Ethertype | undefined {
  return parsePrefix(cidr)?.ethertype;
}

/** True when `inner` lies entirely inside `outer` (same family). */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parsePrefix(inner);
  const b = parsePrefix(outer);
  if (!a || !b || a.ethertype !== b.ethertype) return false;
  const [aAddr, aLen] = ipaddr.parseCIDR(a.network);
  const [, bLen] = ipaddr.parseCIDR(b.network);
  if (aLen < bLen) return false;
  return aAddr.match(ipaddr.parseCIDR(b.network));
}
