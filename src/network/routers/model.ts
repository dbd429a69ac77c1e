import type { Selectable } from 'kysely';
import { isoSeconds } from '../../db/index.js';
import type { Caller } from '../policy.js';
import type { FixedIp } from '../ports/ipam.js';
import { parseJson, toBool } from '../tx.js';
import type { Route } from './input.js';
import type { RoutersTable } from './tables.js';

export interface RouterGateway {
  portId: string;
  networkId: string;
  fixedIps: FixedIp[];
}

/** A top router with what its views show besides its own row. */
export interface Router {
  id: string;
  projectId: string;
  name: string;
  description: string;
  adminStateUp: boolean;
  status: string;
  enableSnat: boolean;
  azHints: string[];
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
  gateway: RouterGateway | null;
  routes: Route[];
  /** AZs of the pods holding a copy of the router. */
  availabilityZones: string[];
  tags: string[];
}

export type RouterRow = Selectable<RoutersTable>;

export function toRouter(row: RouterRow, extra: { gateway?: RouterGateway | null; routes?: Route[]; availabilityZones?: string[]; tags?: string[] } = {}): Router {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    adminStateUp: toBool(row.admin_state_up),
    status: row.status,
    enableSnat: toBool(row.enable_snat),
    azHints: parseJson<string[]>(row.availability_zone_hints, []),
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    gateway: extra.gateway ?? null,
    routes: extra.routes ?? [],
    availabilityZones: extra.availabilityZones ?? [],
    tags: extra.tags ?? [],
  };
}

/**
 * A router as Neutron shows it. `distributed` and `ha` are always false (Tricircle's pod routers are
 * centralized and not HA) and, as upstream's policy has it, shown to admins only.
 */
export function routerView(r: Router, caller: Caller): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: r.id,
    name: r.name,
    description: r.description,
    tenant_id: r.projectId,
    project_id: r.projectId,
    admin_state_up: r.adminStateUp,
    status: r.status,
    external_gateway_info: r.gateway
      ? {
          network_id: r.gateway.networkId,
          enable_snat: r.enableSnat,
          external_fixed_ips: r.gateway.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
        }
      : null,
    routes: r.routes.map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
    availability_zone_hints: r.azHints,
    availability_zones: r.availabilityZones,
    flavor_id: null,
    service_type_id: null,
    tags: r.tags,
    created_at: isoSeconds(r.createdAt),
    updated_at: isoSeconds(r.updatedAt),
    revision_number: r.revisionNumber,
  };
  if (caller.isAdmin) {
    view.distributed = false;
    view.ha = false;
  }
  return view;
}

/** The answer of add_router_interface / remove_router_interface. */
export interface RouterInterfaceInfo {
  routerId: string;
  projectId: string;
  portId: string;
  networkId: string;
  subnetIds: string[];
}

export function interfaceInfoView(i: RouterInterfaceInfo): Record<string, unknown> {
  return {
    id: i.routerId,
    tenant_id: i.projectId,
    project_id: i.projectId,
    port_id: i.portId,
    network_id: i.networkId,
    subnet_id: i.subnetIds[0] ?? null,
    subnet_ids: i.subnetIds,
  };
}
