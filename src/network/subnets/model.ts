import type { Selectable } from 'kysely';
import { isoSeconds } from '../../db/index.js';
import type { SubnetsTable } from '../tables.js';
import { parseJson, toBool } from '../tx.js';
import type { HostRoute, Pool } from './addressing.js';

export interface Subnet {
  id: string;
  projectId: string;
  networkId: string;
  name: string;
  description: string;
  ipVersion: 4 | 6;
  cidr: string;
  gatewayIp: string | null;
  enableDhcp: boolean;
  ipv6RaMode: string | null;
  ipv6AddressMode: string | null;
  allocationPools: Pool[];
  dnsNameservers: string[];
  hostRoutes: HostRoute[];
  serviceTypes: string[];
  subnetpoolId: string | null;
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
  /** router:external of the subnet's network. */
  external: boolean;
  tags: string[];
}

export type SubnetRow = Selectable<SubnetsTable>;

export function toSubnet(row: SubnetRow, extra: { external?: boolean; tags?: string[] } = {}): Subnet {
  return {
    id: row.id,
    projectId: row.project_id,
    networkId: row.network_id,
    name: row.name,
    description: row.description,
    ipVersion: Number(row.ip_version) as 4 | 6,
    cidr: row.cidr,
    gatewayIp: row.gateway_ip,
    enableDhcp: toBool(row.enable_dhcp),
    ipv6RaMode: row.ipv6_ra_mode,
    ipv6AddressMode: row.ipv6_address_mode,
    allocationPools: parseJson<Pool[]>(row.allocation_pools, []),
    dnsNameservers: parseJson<string[]>(row.dns_nameservers, []),
    hostRoutes: parseJson<HostRoute[]>(row.host_routes, []),
    serviceTypes: parseJson<string[]>(row.service_types, []),
    subnetpoolId: row.subnetpool_id,
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    external: extra.external ?? false,
    tags: extra.tags ?? [],
  };
}

export function subnetView(s: Subnet): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    network_id: s.networkId,
    tenant_id: s.projectId,
    project_id: s.projectId,
    ip_version: s.ipVersion,
    cidr: s.cidr,
    gateway_ip: s.gatewayIp,
    allocation_pools: s.allocationPools,
    dns_nameservers: s.dnsNameservers,
    host_routes: s.hostRoutes,
    enable_dhcp: s.enableDhcp,
    ipv6_ra_mode: s.ipv6RaMode,
    ipv6_address_mode: s.ipv6AddressMode,
    subnetpool_id: s.subnetpoolId,
    segment_id: null,
    service_types: s.serviceTypes,
    'router:external': s.external,
    tags: s.tags,
    revision_number: s.revisionNumber,
    created_at: isoSeconds(s.createdAt),
    updated_at: isoSeconds(s.updatedAt),
  };
}
