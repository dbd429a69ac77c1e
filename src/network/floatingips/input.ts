/** Floating IP request bodies. */
import { parseAttributes, toNullableIp, toNullableUuid, toStr, toUuid, type AttrSpec, type Json } from '../input.js';

const SPEC: Record<string, AttrSpec> = {
  floating_network_id: { required: true, convert: toUuid },
  floating_ip_address: { convert: toNullableIp },
  subnet_id: { convert: toNullableUuid },
  port_id: { put: true, convert: toNullableUuid },
  fixed_ip_address: { put: true, convert: toNullableIp },
  description: { put: true, convert: toStr(255) },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export interface FloatingIpPatch {
  /** undefined: untouched; null: disassociate. */
  portId?: string | null;
  fixedIpAddress?: string | null;
  description?: string;
}

export interface FloatingIpCreateInput extends FloatingIpPatch {
  floatingNetworkId: string;
  floatingIpAddress?: string;
  subnetId?: string;
  project_id?: string;
  tenant_id?: string;
}

function patchOf(a: Json): FloatingIpPatch {
  return {
    portId: a.port_id as string | null | undefined,
    fixedIpAddress: a.fixed_ip_address as string | null | undefined,
    description: a.description as string | undefined,
  };
}

export function parseFloatingIpCreate(body: Json): FloatingIpCreateInput {
  const a = parseAttributes(SPEC, body, 'create');
  return {
    ...patchOf(a),
    floatingNetworkId: a.floating_network_id as string,
    floatingIpAddress: (a.floating_ip_address as string | null | undefined) ?? undefined,
    subnetId: (a.subnet_id as string | null | undefined) ?? undefined,
    project_id: a.project_id as string | undefined,
    tenant_id: a.tenant_id as string | undefined,
  };
}

export function parseFloatingIpUpdate(body: Json): FloatingIpPatch {
  return patchOf(parseAttributes(SPEC, body, 'update'));
}
