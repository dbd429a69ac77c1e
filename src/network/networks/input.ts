/** Network request bodies. */
import { invalidAttribute } from '../errors.js';
import { parseAttributes, toBool, toInt, toNullableInt, toNullableStr, toNullableUuid, toStr, toStringList, type AttrSpec, type Json } from '../input.js';
import type { ProviderRequest } from '../segments.js';

const both = { put: true };

const mtu = (value: unknown, attr: string): number => {
  const n = toInt(value, attr);
  if (n < 68) throw invalidAttribute(attr, `'${n}' is too small - must be at least '68'`);
  if (n > 65535) throw invalidAttribute(attr, `'${n}' is too large - must be no larger than '65535'`);
  return n;
};

const SPEC: Record<string, AttrSpec> = {
  name: { ...both, convert: toStr(255) },
  description: { ...both, convert: toStr(255) },
  admin_state_up: { ...both, convert: toBool },
  shared: { ...both, convert: toBool },
  'router:external': { ...both, convert: toBool },
  port_security_enabled: { ...both, convert: toBool },
  mtu: { ...both, convert: mtu },
  is_default: { ...both, convert: toBool },
  qos_policy_id: { ...both, convert: toNullableUuid },
  availability_zone_hints: { convert: toStringList(255) },
  'provider:network_type': { ...both, convert: toStr(32) },
  'provider:physical_network': { ...both, convert: toNullableStr(64) },
  'provider:segmentation_id': { ...both, convert: toNullableInt },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export interface NetworkCreateInput {
  project_id?: string;
  tenant_id?: string;
  name?: string;
  description?: string;
  adminStateUp?: boolean;
  shared?: boolean;
  external?: boolean;
  portSecurityEnabled?: boolean;
  mtu?: number;
  /** The default external network (admin only; kept on external networks only). */
  isDefault?: boolean;
  /** null removes the policy. */
  qosPolicyId?: string | null;
  azHints?: string[];
  provider: ProviderRequest;
}

export type NetworkPatch = Omit<NetworkCreateInput, 'project_id' | 'tenant_id' | 'azHints'>;

function common(a: Json): NetworkPatch {
  return {
    name: a.name as string | undefined,
    description: a.description as string | undefined,
    adminStateUp: a.admin_state_up as boolean | undefined,
    shared: a.shared as boolean | undefined,
    external: a['router:external'] as boolean | undefined,
    portSecurityEnabled: a.port_security_enabled as boolean | undefined,
    mtu: a.mtu as number | undefined,
    isDefault: a.is_default as boolean | undefined,
    qosPolicyId: a.qos_policy_id as string | null | undefined,
    provider: {
      networkType: a['provider:network_type'] as string | undefined,
      physicalNetwork: a['provider:physical_network'] as string | null | undefined,
      segmentationId: a['provider:segmentation_id'] as number | null | undefined,
    },
  };
}

export function parseNetworkCreate(body: Json): NetworkCreateInput {
  const a = parseAttributes(SPEC, body, 'create');
  return { ...common(a), project_id: a.project_id as string | undefined, tenant_id: a.tenant_id as string | undefined, azHints: a.availability_zone_hints as string[] | undefined };
}

export function parseNetworkUpdate(body: Json): NetworkPatch {
  return common(parseAttributes(SPEC, body, 'update'));
}
