import type { Selectable } from 'kysely';
import { isoSeconds } from '../../db/index.js';
import type { Caller } from '../policy.js';
import type { PortsTable } from '../tables.js';
import { parseJson, toBool } from '../tx.js';
import type { FixedIp } from './ipam.js';

export interface AddressPair {
  ip_address: string;
  mac_address: string;
}

export interface DhcpOption {
  opt_name: string;
  opt_value: string;
  ip_version: 4 | 6;
}

export interface Port {
  id: string;
  projectId: string;
  networkId: string;
  name: string;
  description: string;
  macAddress: string;
  adminStateUp: boolean;
  status: string;
  deviceId: string;
  deviceOwner: string;
  portSecurityEnabled: boolean;
  bindingHostId: string;
  bindingVnicType: string;
  bindingProfile: Record<string, unknown>;
  allowedAddressPairs: AddressPair[];
  extraDhcpOpts: DhcpOption[];
  qosPolicyId: string | null;
  reservedFor: string | null;
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
  fixedIps: FixedIp[];
  securityGroups: string[];
  tags: string[];
  /** Binding as the pod reports it, for ports with a copy in a pod (see live.ts). */
  vifType?: string;
  vifDetails?: Record<string, unknown>;
}

/**
 * Key in a top port's binding profile marking a port Tricircle made for a server (deleted with it);
 * internal, never shown.
 */
export const CREATED_FOR_SERVER_KEY = 'tricircle_created_for_server';

function shownProfile(profile: Record<string, unknown>): Record<string, unknown> {
  if (!(CREATED_FOR_SERVER_KEY in profile)) return profile;
  const { [CREATED_FOR_SERVER_KEY]: _internal, ...rest } = profile;
  return rest;
}

export type PortRow = Selectable<PortsTable>;

export function toPort(row: PortRow, extra: { fixedIps?: FixedIp[]; securityGroups?: string[]; tags?: string[] } = {}): Port {
  return {
    id: row.id,
    projectId: row.project_id,
    networkId: row.network_id,
    name: row.name,
    description: row.description,
    macAddress: row.mac_address,
    adminStateUp: toBool(row.admin_state_up),
    status: row.status,
    deviceId: row.device_id,
    deviceOwner: row.device_owner,
    portSecurityEnabled: toBool(row.port_security_enabled),
    bindingHostId: row.binding_host_id,
    bindingVnicType: row.binding_vnic_type,
    bindingProfile: parseJson<Record<string, unknown>>(row.binding_profile, {}),
    allowedAddressPairs: parseJson<AddressPair[]>(row.allowed_address_pairs, []),
    extraDhcpOpts: parseJson<DhcpOption[]>(row.extra_dhcp_opts, []),
    reservedFor: row.reserved_for,
    qosPolicyId: row.qos_policy_id ?? null,
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    fixedIps: extra.fixedIps ?? [],
    securityGroups: extra.securityGroups ?? [],
    tags: extra.tags ?? [],
  };
}

/** A port as Neutron shows it; binding attributes only to admins, as upstream's policy does. */
export function portView(p: Port, caller: Caller): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: p.id,
    name: p.name,
    description: p.description,
    network_id: p.networkId,
    tenant_id: p.projectId,
    project_id: p.projectId,
    mac_address: p.macAddress,
    admin_state_up: p.adminStateUp,
    status: p.status,
    device_id: p.deviceId,
    device_owner: p.deviceOwner,
    fixed_ips: p.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
    allowed_address_pairs: p.allowedAddressPairs,
    extra_dhcp_opts: p.extraDhcpOpts,
    security_groups: p.securityGroups,
    port_security_enabled: p.portSecurityEnabled,
    ip_allocation: 'immediate',
    qos_policy_id: p.qosPolicyId,
    tags: p.tags,
    created_at: isoSeconds(p.createdAt),
    updated_at: isoSeconds(p.updatedAt),
    revision_number: p.revisionNumber,
  };
  if (caller.isAdmin) {
    view['binding:host_id'] = p.bindingHostId;
    view['binding:vnic_type'] = p.bindingVnicType;
    view['binding:profile'] = shownProfile(p.bindingProfile);
    view['binding:vif_type'] = p.vifType ?? 'unbound';
    view['binding:vif_details'] = p.vifDetails ?? {};
  } else {
    view['binding:vnic_type'] = p.bindingVnicType;
  }
  return view;
}
