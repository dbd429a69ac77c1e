import type { Selectable } from 'kysely';
import { isoSeconds } from '../../db/index.js';
import type { FloatingIpsTable } from '../routers/tables.js';

/** What a floating IP shows of its associated port (fip-port-details). */
export interface FloatingIpPortDetails {
  name: string;
  networkId: string;
  macAddress: string;
  adminStateUp: boolean;
  status: string;
  deviceId: string;
  deviceOwner: string;
}

export interface FloatingIp {
  id: string;
  projectId: string;
  floatingNetworkId: string;
  floatingIpAddress: string;
  floatingPortId: string;
  portId: string | null;
  fixedIpAddress: string | null;
  routerId: string | null;
  description: string;
  status: string;
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
  portDetails: FloatingIpPortDetails | null;
  tags: string[];
}

export type FloatingIpRow = Selectable<FloatingIpsTable>;

export function toFloatingIp(row: FloatingIpRow, extra: { portDetails?: FloatingIpPortDetails | null; tags?: string[] } = {}): FloatingIp {
  return {
    id: row.id,
    projectId: row.project_id,
    floatingNetworkId: row.floating_network_id,
    floatingIpAddress: row.floating_ip_address,
    floatingPortId: row.floating_port_id,
    portId: row.fixed_port_id,
    fixedIpAddress: row.fixed_port_id === null ? null : row.fixed_ip_address,
    routerId: row.fixed_port_id === null ? null : row.router_id,
    description: row.description,
    status: row.status,
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    portDetails: extra.portDetails ?? null,
    tags: extra.tags ?? [],
  };
}

/** A floating IP as Neutron shows it. */
export function floatingIpView(f: FloatingIp): Record<string, unknown> {
  const d = f.portDetails;
  return {
    id: f.id,
    tenant_id: f.projectId,
    project_id: f.projectId,
    floating_network_id: f.floatingNetworkId,
    floating_ip_address: f.floatingIpAddress,
    router_id: f.routerId,
    port_id: f.portId,
    fixed_ip_address: f.fixedIpAddress,
    status: f.status,
    description: f.description,
    port_details: d
      ? {
          name: d.name,
          network_id: d.networkId,
          mac_address: d.macAddress,
          admin_state_up: d.adminStateUp,
          status: d.status,
          device_id: d.deviceId,
          device_owner: d.deviceOwner,
        }
      : null,
    tags: f.tags,
    created_at: isoSeconds(f.createdAt),
    updated_at: isoSeconds(f.updatedAt),
    revision_number: f.revisionNumber,
  };
}
