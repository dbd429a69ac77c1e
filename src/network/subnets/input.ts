/** Subnet request bodies. */
import { invalidAttribute, invalidInput } from '../errors.js';
import { parseAttributes, pyStr, toBool, toInt, toNullableIp, toNullableUuid, toStr, toStringList, toSubnetCidr, toUuid, type AttrSpec, type Json } from '../input.js';
import { IPV6_MODES, parseHostRoutes, parseNameservers, parsePools, type HostRoute, type Pool } from './addressing.js';

const ipVersion = (value: unknown, attr: string): 4 | 6 => {
  const v = toInt(value, attr);
  if (v !== 4 && v !== 6) throw invalidAttribute(attr, `${v} is not in [4, 6]`);
  return v;
};

const ipv6Mode = (value: unknown, attr: string): string | null => {
  if (value === null) return null;
  if (typeof value !== 'string' || !(IPV6_MODES as readonly string[]).includes(value)) {
    throw invalidAttribute(attr, `${pyStr(value)} is not in ${JSON.stringify(IPV6_MODES).replace(/"/g, "'").replace(/,/g, ', ')}`);
  }
  return value;
};

const noSegment = (value: unknown, attr: string): null => {
  if (toNullableUuid(value, attr) !== null) throw invalidInput('routed networks (segment_id) are not supported by Tricircle');
  return null;
};

const SPEC: Record<string, AttrSpec> = {
  network_id: { required: true, convert: toUuid },
  ip_version: { required: true, convert: ipVersion },
  cidr: { convert: toSubnetCidr },
  prefixlen: { convert: toInt },
  subnetpool_id: { convert: toNullableUuid },
  use_default_subnetpool: { convert: toBool },
  name: { put: true, convert: toStr(255) },
  description: { put: true, convert: toStr(255) },
  gateway_ip: { put: true, convert: toNullableIp },
  allocation_pools: { put: true, convert: (v) => parsePools(v) },
  dns_nameservers: { put: true, convert: (v) => parseNameservers(v) },
  host_routes: { put: true, convert: (v) => parseHostRoutes(v) },
  enable_dhcp: { put: true, convert: toBool },
  ipv6_ra_mode: { convert: ipv6Mode },
  ipv6_address_mode: { convert: ipv6Mode },
  service_types: { put: true, convert: toStringList(255) },
  segment_id: { convert: noSegment },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export interface SubnetPatch {
  name?: string;
  description?: string;
  /** null removes the gateway. */
  gatewayIp?: string | null;
  allocationPools?: Pool[];
  dnsNameservers?: string[];
  hostRoutes?: HostRoute[];
  enableDhcp?: boolean;
  serviceTypes?: string[];
}

export interface SubnetCreateInput extends SubnetPatch {
  project_id?: string;
  tenant_id?: string;
  networkId: string;
  ipVersion: 4 | 6;
  cidr?: string;
  prefixlen?: number;
  subnetpoolId?: string | null;
  useDefaultSubnetpool?: boolean;
  ipv6RaMode?: string | null;
  ipv6AddressMode?: string | null;
}

function patchOf(a: Json): SubnetPatch {
  return {
    name: a.name as string | undefined,
    description: a.description as string | undefined,
    gatewayIp: a.gateway_ip as string | null | undefined,
    allocationPools: a.allocation_pools as Pool[] | undefined,
    dnsNameservers: a.dns_nameservers as string[] | undefined,
    hostRoutes: a.host_routes as HostRoute[] | undefined,
    enableDhcp: a.enable_dhcp as boolean | undefined,
    serviceTypes: a.service_types as string[] | undefined,
  };
}

export function parseSubnetCreate(body: Json): SubnetCreateInput {
  const a = parseAttributes(SPEC, body, 'create');
  return {
    ...patchOf(a),
    project_id: a.project_id as string | undefined,
    tenant_id: a.tenant_id as string | undefined,
    networkId: a.network_id as string,
    ipVersion: a.ip_version as 4 | 6,
    cidr: a.cidr as string | undefined,
    prefixlen: a.prefixlen as number | undefined,
    subnetpoolId: a.subnetpool_id as string | null | undefined,
    useDefaultSubnetpool: a.use_default_subnetpool as boolean | undefined,
    ipv6RaMode: a.ipv6_ra_mode as string | null | undefined,
    ipv6AddressMode: a.ipv6_address_mode as string | null | undefined,
  };
}

export function parseSubnetUpdate(body: Json): SubnetPatch {
  return patchOf(parseAttributes(SPEC, body, 'update'));
}
