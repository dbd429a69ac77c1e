/** Port request bodies. */
import { bad, invalidAttribute } from '../errors.js';
import { canonicalIp, formatIp, parseCidr } from '../ip.js';
import { isObject, parseAttributes, pyStr, toBool, toDict, toList, toMac, toNullableUuid, toStr, toUuid, type AttrSpec, type Json } from '../input.js';
import type { FixedIpRequest } from './ipam.js';
import type { AddressPair, DhcpOption } from './model.js';

export const MAX_ADDRESS_PAIRS = 10;
export const VNIC_TYPES = [
  'normal',
  'direct',
  'macvtap',
  'baremetal',
  'direct-physical',
  'virtio-forwarder',
  'smart-nic',
  'vdpa',
  'accelerator-direct',
  'accelerator-direct-physical',
  'remote-managed',
];

function fixedIps(value: unknown, attr: string): FixedIpRequest[] {
  return toList(value, attr).map((item) => {
    if (!isObject(item)) throw invalidAttribute(attr, `'${pyStr(item)}' is not a dictionary`);
    const extra = Object.keys(item).filter((k) => k !== 'subnet_id' && k !== 'ip_address');
    if (extra.length) throw invalidAttribute(attr, `Unrecognized attribute(s) '${extra.join(', ')}'`);
    const req: FixedIpRequest = {};
    if (item.subnet_id !== undefined) req.subnetId = toUuid(item.subnet_id, attr);
    if (item.ip_address !== undefined) {
      const ip = canonicalIp(item.ip_address);
      if (ip === undefined) throw invalidAttribute(attr, `'${pyStr(item.ip_address)}' is not a valid IP address`);
      req.ipAddress = ip;
    }
    if (req.subnetId === undefined && req.ipAddress === undefined) throw invalidAttribute(attr, `Exactly one of subnet_id or ip_address must be given in ${pyStr(item)}`);
    return req;
  });
}

function addressPairs(value: unknown, attr: string): { ip_address: string; mac_address?: string }[] {
  const list = toList(value, attr);
  if (list.length > MAX_ADDRESS_PAIRS) {
    throw bad.addressPairsExhausted(MAX_ADDRESS_PAIRS);
  }
  const seen = new Set<string>();
  return list.map((item) => {
    if (!isObject(item) || item.ip_address === undefined) throw invalidAttribute(attr, 'AllowedAddressPair must contain ip_address');
    const extra = Object.keys(item).filter((k) => k !== 'ip_address' && k !== 'mac_address');
    if (extra.length) throw invalidAttribute(attr, `Unrecognized attribute(s) '${extra.join(', ')}'`);
    let ip = canonicalIp(item.ip_address);
    if (ip === undefined) {
      const cidr = parseCidr(item.ip_address);
      if (!cidr) throw invalidAttribute(attr, `'${pyStr(item.ip_address)}' is not a valid IP address`);
      ip = `${formatIp(cidr.version, cidr.first)}/${cidr.prefixLength}`;
    }
    const pair: { ip_address: string; mac_address?: string } = { ip_address: ip };
    if (item.mac_address !== undefined) pair.mac_address = toMac(item.mac_address, attr);
    const key = `${pair.ip_address}|${pair.mac_address ?? ''}`;
    if (seen.has(key)) throw bad.duplicateAddressPair(pair.mac_address, pair.ip_address);
    seen.add(key);
    return pair;
  });
}

function dhcpOptions(value: unknown, attr: string): DhcpOption[] {
  return toList(value, attr).map((item) => {
    if (!isObject(item) || typeof item.opt_name !== 'string' || item.opt_name === '') throw invalidAttribute(attr, `Invalid data format for extra-dhcp-opt: ${pyStr(item)}`);
    const version = item.ip_version === undefined ? 4 : Number(item.ip_version);
    if (version !== 4 && version !== 6) throw invalidAttribute(attr, `${pyStr(item.ip_version)} is not in [4, 6]`);
    return { opt_name: item.opt_name, opt_value: item.opt_value === null || item.opt_value === undefined ? '' : String(item.opt_value), ip_version: version };
  });
}

function uuidList(value: unknown, attr: string): string[] {
  return [...new Set(toList(value, attr).map((v) => toUuid(v, attr)))];
}

function vnicType(value: unknown, attr: string): string {
  if (typeof value !== 'string' || !VNIC_TYPES.includes(value)) throw invalidAttribute(attr, `${pyStr(value)} is not in ${pyStr(VNIC_TYPES)}`);
  return value;
}

const SPEC: Record<string, AttrSpec> = {
  network_id: { required: true, convert: toUuid },
  name: { put: true, convert: toStr(255) },
  description: { put: true, convert: toStr(255) },
  admin_state_up: { put: true, convert: toBool },
  mac_address: { put: true, convert: toMac },
  fixed_ips: { put: true, convert: fixedIps },
  device_id: { put: true, convert: toStr(255) },
  device_owner: { put: true, convert: toStr(255) },
  security_groups: { put: true, convert: uuidList },
  port_security_enabled: { put: true, convert: toBool },
  allowed_address_pairs: { put: true, convert: addressPairs },
  extra_dhcp_opts: { put: true, convert: dhcpOptions },
  qos_policy_id: { put: true, convert: toNullableUuid },
  'binding:host_id': { put: true, convert: toStr(255) },
  'binding:vnic_type': { put: true, convert: vnicType },
  'binding:profile': { put: true, convert: toDict },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export interface PortPatch {
  name?: string;
  description?: string;
  adminStateUp?: boolean;
  macAddress?: string;
  fixedIps?: FixedIpRequest[];
  deviceId?: string;
  deviceOwner?: string;
  securityGroups?: string[];
  portSecurityEnabled?: boolean;
  allowedAddressPairs?: { ip_address: string; mac_address?: string }[];
  extraDhcpOpts?: DhcpOption[];
  /** null removes the policy. */
  qosPolicyId?: string | null;
  bindingHostId?: string;
  bindingVnicType?: string;
  bindingProfile?: Json;
}

export interface PortCreateInput extends PortPatch {
  networkId: string;
  project_id?: string;
  tenant_id?: string;
}

function patchOf(a: Json): PortPatch {
  return {
    name: a.name as string | undefined,
    description: a.description as string | undefined,
    adminStateUp: a.admin_state_up as boolean | undefined,
    macAddress: a.mac_address as string | undefined,
    fixedIps: a.fixed_ips as FixedIpRequest[] | undefined,
    deviceId: a.device_id as string | undefined,
    deviceOwner: a.device_owner as string | undefined,
    securityGroups: a.security_groups as string[] | undefined,
    portSecurityEnabled: a.port_security_enabled as boolean | undefined,
    allowedAddressPairs: a.allowed_address_pairs as PortPatch['allowedAddressPairs'],
    extraDhcpOpts: a.extra_dhcp_opts as DhcpOption[] | undefined,
    qosPolicyId: a.qos_policy_id as string | null | undefined,
    bindingHostId: a['binding:host_id'] as string | undefined,
    bindingVnicType: a['binding:vnic_type'] as string | undefined,
    bindingProfile: a['binding:profile'] as Json | undefined,
  };
}

export function parsePortCreate(body: Json): PortCreateInput {
  const a = parseAttributes(SPEC, body, 'create');
  return { ...patchOf(a), networkId: a.network_id as string, project_id: a.project_id as string | undefined, tenant_id: a.tenant_id as string | undefined };
}

export function parsePortUpdate(body: Json): PortPatch {
  return patchOf(parseAttributes(SPEC, body, 'update'));
}

/** Fills each pair's MAC with the port's. */
export const withMacs = (pairs: { ip_address: string; mac_address?: string }[], mac: string): AddressPair[] =>
  pairs.map((p) => ({ ip_address: p.ip_address, mac_address: p.mac_address ?? mac }));
