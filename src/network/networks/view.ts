import { isoSeconds } from '../../db/index.js';
import type { Caller } from '../policy.js';
import type { Network } from './model.js';

/** A network as Neutron shows it; provider attributes only to admins, as upstream's policy does. */
export function networkView(n: Network, caller: Caller): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: n.id,
    name: n.name,
    description: n.description,
    tenant_id: n.projectId,
    project_id: n.projectId,
    admin_state_up: n.adminStateUp,
    status: 'ACTIVE',
    subnets: n.subnetIds,
    shared: n.shared,
    'router:external': n.external,
    port_security_enabled: n.portSecurityEnabled,
    mtu: n.mtu,
    qos_policy_id: n.qosPolicyId,
    availability_zone_hints: n.azHints,
    availability_zones: n.availabilityZones,
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    l2_adjacency: true,
    tags: n.tags,
    created_at: isoSeconds(n.createdAt),
    updated_at: isoSeconds(n.updatedAt),
    revision_number: n.revisionNumber,
  };
  // Upstream shows is_default on external networks only.
  if (n.external) view.is_default = n.isDefault;
  if (caller.isAdmin) {
    view['provider:network_type'] = n.segment.networkType;
    view['provider:physical_network'] = n.segment.physicalNetwork;
    view['provider:segmentation_id'] = n.segment.segmentationId;
  }
  return view;
}
