/** IP protocol names Neutron accepts in security group rules, with their numbers. */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = Object.freeze({
  ah: 51,
  dccp: 33,
  egp: 8,
  esp: 50,
  gre: 47,
  icmp: 1,
  icmpv6: 58,
  igmp: 2,
  ipip: 4,
  'ipv6-encap': 41,
  'ipv6-frag': 44,
  'ipv6-icmp': 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  'ipv6-route': 43,
  ospf: 89,
  pgm: 113,
  rsvp: 46,
  sctp: 132,
  tcp: 6,
  udp: 17,
  udplite: 136,
  vrrp: 112,
});

export const PROTOCOL_NAMES: readonly string[] = Object.freeze(['any', ...Object.keys(PROTOCOL_NUMBERS)]);

/** Protocols whose rules carry a port range (port 0 is not a valid port for them). */
export const PORT_PROTOCOLS: readonly number[] = [6, 17, 132, 33, 136];
export const PORT_PROTOCOL_NAMES: readonly string[] = ['tcp', 'udp', 'sctp', 'dccp', 'udplite'];

/** ICMP and ICMPv6: the port range carries the type (min) and code (max). */
export const ICMP_PROTOCOLS: readonly number[] = [1, 58];

/** Protocols that exist only for IPv6 and therefore conflict with ethertype IPv4. */
export const IPV6_ONLY_PROTOCOLS: readonly number[] = [41, 43, 44, 58, 59, 60];

/** The protocol number of a stored protocol value (a name or a decimal string); undefined for "any". */
export function protocolNumber(protocol: string | null): number | undefined {
  if (protocol === null) return undefined;
  if (/^\d+$/.test(protocol)) return Number(protocol);
  return PROTOCOL_NUMBERS[protocol];
}

/**
 * A protocol in the form two rules are compared on: its number as a string, with ICMP on IPv6
 * counted as ICMPv6 (Neutron treats "icmp", "icmpv6", "ipv6-icmp" and 58 alike there). Null for "any".
 */
export function canonicalProtocol(protocol: string | null, ethertype: string): string | null {
  const n = protocolNumber(protocol);
  if (n === undefined) return null;
  if (n === 1 && ethertype === 'IPv6') return '58';
  return String(n);
}
