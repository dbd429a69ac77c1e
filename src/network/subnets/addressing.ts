/**
 * A subnet's addressing rules, pure: default gateway and allocation pools, and the checks upstream
 * makes on gateways, pools, DNS servers, host routes and IPv6 modes.
 */
import { bad, conflict, invalidAttribute, invalidInput } from '../errors.js';
import { isObject, pyStr, toList } from '../input.js';
import { canonicalIp, cidrContains, formatIp, parseCidr, parseIp, rangesOverlap, subtractRanges, usableRange, type Cidr, type IpRange } from '../ip.js';

export const MAX_DNS_NAMESERVERS = 5;
export const MAX_HOST_ROUTES = 20;
export const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'] as const;

export interface Pool {
  start: string;
  end: string;
}

export const poolText = (p: Pool) => `${p.start}-${p.end}`;
export const poolRange = (p: Pool): IpRange => ({ first: parseIp(p.start)!.value, last: parseIp(p.end)!.value });

/** The first usable address, or null when the subnet has none (a /32, a /31). */
export function defaultGateway(cidr: Cidr): string | null {
  const usable = usableRange(cidr);
  return usable ? formatIp(cidr.version, usable.first) : null;
}

/** Every usable address except the gateway. */
export function defaultPools(cidr: Cidr, gateway: string | null): Pool[] {
  const usable = usableRange(cidr);
  if (!usable) return [];
  const holes = gateway !== null ? [{ first: parseIp(gateway)!.value, last: parseIp(gateway)!.value }] : [];
  return subtractRanges(usable, holes).map((r) => ({ start: formatIp(cidr.version, r.first), end: formatIp(cidr.version, r.last) }));
}

/** Parses `allocation_pools` of a request into canonical pools (not yet checked against the subnet). */
export function parsePools(value: unknown): Pool[] {
  return toList(value, 'allocation_pools').map((item) => {
    if (!isObject(item) || !('start' in item) || !('end' in item) || Object.keys(item).length !== 2) {
      throw invalidAttribute(
        'allocation_pools',
        `Validation of dictionary's keys failed. Expected keys: {'end', 'start'} Provided keys: {${
          isObject(item)
            ? Object.keys(item)
                .map((k) => `'${k}'`)
                .join(', ')
            : pyStr(item)
        }}`,
      );
    }
    const start = canonicalIp(item.start);
    const end = canonicalIp(item.end);
    if (start === undefined) throw invalidAttribute('allocation_pools', `'${pyStr(item.start)}' is not a valid IP address`);
    if (end === undefined) throw invalidAttribute('allocation_pools', `'${pyStr(item.end)}' is not a valid IP address`);
    return { start, end };
  });
}

/** Pools must be ordered ranges inside the subnet's usable addresses, not overlapping each other. */
export function checkPools(cidr: Cidr, cidrText: string, pools: Pool[]): void {
  const usable = usableRange(cidr);
  const ranges = pools.map((p) => {
    const s = parseIp(p.start)!;
    const e = parseIp(p.end)!;
    if (s.version !== cidr.version || e.version !== cidr.version || s.value > e.value) throw bad.invalidAllocationPool(poolText(p));
    const r = { first: s.value, last: e.value };
    if (!usable || r.first < usable.first || r.last > usable.last) throw bad.outOfBoundsPool(poolText(p), cidrText);
    return r;
  });
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (rangesOverlap(ranges[i], ranges[j])) throw conflict.overlappingPools(poolText(pools[i]), poolText(pools[j]), cidrText);
    }
  }
}

/** The gateway must be of the subnet's family, not its network or broadcast address, and outside the pools. */
export function checkGateway(cidr: Cidr, gateway: string | null, pools: Pool[]): void {
  if (gateway === null) return;
  const ip = parseIp(gateway)!;
  if (ip.version !== cidr.version) throw invalidInput(`Gateway IP version inconsistent with allocation pool version`);
  if (cidr.version === 4 && cidr.prefixLength < 31 && (ip.value === cidr.first || ip.value === cidr.last)) {
    throw invalidInput('Gateway is not valid on subnet');
  }
  for (const p of pools) {
    const r = poolRange(p);
    if (ip.value >= r.first && ip.value <= r.last) throw conflict.gatewayConflictsWithPools(gateway, poolText(p));
  }
}

export function parseNameservers(value: unknown): string[] {
  const list = toList(value, 'dns_nameservers');
  const out: string[] = [];
  for (const item of list) {
    const ip = canonicalIp(item);
    if (ip === undefined) throw invalidAttribute('dns_nameservers', `'${pyStr(item)}' is not a valid nameserver. '${pyStr(item)}' is not a valid IP address`);
    if (out.includes(ip)) throw invalidAttribute('dns_nameservers', `Duplicate nameserver '${pyStr(item)}'`);
    out.push(ip);
  }
  return out;
}

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export function parseHostRoutes(value: unknown): HostRoute[] {
  const list = toList(value, 'host_routes');
  const out: HostRoute[] = [];
  for (const item of list) {
    if (!isObject(item) || !('destination' in item) || !('nexthop' in item)) {
      throw invalidAttribute('host_routes', `Validation of dictionary's keys failed. Expected keys: {'destination', 'nexthop'} Provided keys: ${pyStr(item)}`);
    }
    const dest = parseCidr(item.destination);
    const nexthop = canonicalIp(item.nexthop);
    if (!dest) throw invalidAttribute('host_routes', `'${pyStr(item.destination)}' is not a valid IP subnet`);
    if (nexthop === undefined) throw invalidAttribute('host_routes', `'${pyStr(item.nexthop)}' is not a valid IP address`);
    const route = { destination: `${formatIp(dest.version, dest.first)}/${dest.prefixLength}`, nexthop };
    if (out.some((r) => r.destination === route.destination && r.nexthop === route.nexthop)) {
      throw invalidAttribute('host_routes', `Duplicate hostroute '${route.destination}'`);
    }
    out.push(route);
  }
  return out;
}

/** Host routes must be of the subnet's family. */
export function checkHostRoutes(cidr: Cidr, routes: HostRoute[]): void {
  for (const r of routes) {
    if (parseCidr(r.destination)!.version !== cidr.version || parseIp(r.nexthop)!.version !== cidr.version) {
      throw invalidInput(`Invalid route '${r.destination} via ${r.nexthop}': host routes must be of the subnet's IP version ${cidr.version}`);
    }
  }
}

export interface Ipv6Modes {
  raMode: string | null;
  addressMode: string | null;
}

export function checkIpv6Modes(cidr: Cidr, cidrText: string, modes: Ipv6Modes, enableDhcp: boolean): void {
  const { raMode, addressMode } = modes;
  if (raMode === null && addressMode === null) return;
  if (cidr.version === 4) throw invalidInput('ipv6_ra_mode and ipv6_address_mode cannot be set when ip_version is 4');
  if (!enableDhcp) throw invalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
  if (raMode !== null && addressMode !== null && raMode !== addressMode) {
    throw invalidInput(`ipv6_ra_mode set to '${raMode}' with ipv6_address_mode set to '${addressMode}' is not valid. If both attributes are set, they must be the same value`);
  }
  if (isAutoAddress(addressMode) && cidr.prefixLength !== 64) {
    throw invalidInput(`Invalid CIDR ${cidrText} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
  }
}

/** SLAAC and DHCPv6-stateless subnets: ports get EUI-64 addresses computed from their MAC. */
export const isAutoAddress = (addressMode: string | null): boolean => addressMode === 'slaac' || addressMode === 'dhcpv6-stateless';

export const ipInCidr = (cidr: Cidr, ip: string): boolean => {
  const v = parseIp(ip);
  return v !== undefined && v.version === cidr.version && cidrContains(cidr, v.value);
};
