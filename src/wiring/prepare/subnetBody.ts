/** What a pod's copy of a top subnet looks like. Pure. */
import type { JsonObject } from '../../bottom/index.js';
import { formatIp, parseIp, poolRange, subtractRanges, type Pool, type Subnet } from '../../network/index.js';
import { bottomName } from './names.js';

/** The top pools without the pod's gateway address (a subnet's gateway may not sit in its pools). */
export function podPools(pools: Pool[], gateway: string | null): Pool[] {
  const gw = gateway === null ? undefined : parseIp(gateway);
  if (!gw) return pools;
  return pools.flatMap((pool) => {
    const version = parseIp(pool.start)!.version;
    if (version !== gw.version) return [pool];
    return subtractRanges(poolRange(pool), [{ first: gw.value, last: gw.value }]).map((r) => ({ start: formatIp(version, r.first), end: formatIp(version, r.last) }));
  });
}

/** IPv6 subnets with an RA or address mode cannot exist with DHCP off, so they are made with it on. */
export const needsDhcpAtCreate = (s: Subnet): boolean => s.enableDhcp && (s.ipv6RaMode !== null || s.ipv6AddressMode !== null);

/**
 * The create body of a subnet's copy: the top's addressing with the pod's gateway. DHCP starts off
 * (unless the IPv6 modes forbid it) and is switched on once the shared DHCP port is in the pod, so
 * the pod's DHCP agent adopts that port instead of making its own with another address.
 */
export function bottomSubnetBody(s: Subnet, bottomNetworkId: string, gateway: string | null): JsonObject {
  const body: JsonObject = {
    name: bottomName(s.id),
    network_id: bottomNetworkId,
    project_id: s.projectId,
    ip_version: s.ipVersion,
    cidr: s.cidr,
    gateway_ip: gateway,
    allocation_pools: podPools(s.allocationPools, gateway),
    enable_dhcp: needsDhcpAtCreate(s),
    dns_nameservers: s.dnsNameservers,
    host_routes: s.hostRoutes,
  };
  if (s.ipv6RaMode !== null) body.ipv6_ra_mode = s.ipv6RaMode;
  if (s.ipv6AddressMode !== null) body.ipv6_address_mode = s.ipv6AddressMode;
  return body;
}
