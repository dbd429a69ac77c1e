// Wire shapes of the resources, as a Zed Neutron with ML2/OVS and the L3 router plugin returns them.
// Attributes that policy shows to admins only are left out for other callers.
import type { Ctx } from './context.js';
import { cidrNetworkText, parseCidr } from './ipam.js';
import type { FloatingIpRec, NetworkRec, NeutronState, PortRec, RouterRec, SecurityGroupRec, SecurityGroupRuleRec, SubnetRec } from './state.js';

export type View = Record<string, unknown>;

const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface';

function standard(rec: { id: string; project_id: string; description: string; created_at: string; updated_at: string; revision_number: number }): View {
  return {
    id: rec.id,
    project_id: rec.project_id,
    tenant_id: rec.project_id,
    description: rec.description,
    created_at: rec.created_at,
    updated_at: rec.updated_at,
    revision_number: rec.revision_number,
  };
}

export function networkView(state: NeutronState, ctx: Ctx, net: NetworkRec): View {
  const subnets = state.subnetsOf(net.id).map((s) => s.id);
  const v: View = {
    ...standard(net),
    name: net.name,
    admin_state_up: net.admin_state_up,
    mtu: net.mtu,
    status: net.status,
    subnets,
    shared: net.shared,
    availability_zone_hints: [...net.availability_zone_hints],
    availability_zones: net.availability_zone_hints.length ? [...net.availability_zone_hints] : state.config.availabilityZones.slice(0, 1),
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    'router:external': net.external,
    is_default: net.is_default,
    port_security_enabled: net.port_security_enabled,
    qos_policy_id: net.qos_policy_id ?? null,
    l2_adjacency: true,
    tags: [...net.tags],
  };
  if (ctx.isAdmin) {
    v['provider:network_type'] = net.network_type;
    v['provider:physical_network'] = net.physical_network;
    v['provider:segmentation_id'] = net.segmentation_id;
  }
  return v;
}

export function subnetView(state: NeutronState, _ctx: Ctx, s: SubnetRec): View {
  return {
    ...standard(s),
    name: s.name,
    network_id: s.network_id,
    ip_version: s.ip_version,
    cidr: s.cidr,
    gateway_ip: s.gateway_ip,
    allocation_pools: s.allocation_pools.map((p) => ({ start: p.start, end: p.end })),
    enable_dhcp: s.enable_dhcp,
    dns_nameservers: [...s.dns_nameservers],
    host_routes: s.host_routes.map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
    ipv6_ra_mode: s.ipv6_ra_mode,
    ipv6_address_mode: s.ipv6_address_mode,
    subnetpool_id: null,
    segment_id: s.segment_id,
    service_types: [...s.service_types],
    'router:external': state.networks.get(s.network_id)?.external ?? false,
    tags: [...s.tags],
  };
}

const OVS_VIF_DETAILS = {
  port_filter: true,
  connectivity: 'l2',
  ovs_hybrid_plug: false,
  datapath_type: 'system',
  bridge_name: 'br-int',
};

export function portView(_state: NeutronState, ctx: Ctx, p: PortRec): View {
  const v: View = {
    ...standard(p),
    name: p.name,
    network_id: p.network_id,
    mac_address: p.mac_address,
    admin_state_up: p.admin_state_up,
    status: p.status,
    device_id: p.device_id,
    device_owner: p.device_owner,
    fixed_ips: p.fixed_ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
    allowed_address_pairs: p.allowed_address_pairs.map((a) => ({ ip_address: a.ip_address, mac_address: a.mac_address })),
    extra_dhcp_opts: p.extra_dhcp_opts.map((o) => ({ ...o })),
    security_groups: [...p.security_groups],
    port_security_enabled: p.port_security_enabled,
    qos_policy_id: p.qos_policy_id ?? null,
    propagate_uplink_status: p.propagate_uplink_status,
    ip_allocation: 'immediate',
    'binding:vnic_type': p.binding_vnic_type,
    tags: [...p.tags],
  };
  if (ctx.isAdmin) {
    const bound = p.binding_host_id !== '';
    v['binding:host_id'] = p.binding_host_id;
    v['binding:profile'] = structuredClone(p.binding_profile);
    v['binding:vif_type'] = bound ? 'ovs' : 'unbound';
    v['binding:vif_details'] = bound ? { ...OVS_VIF_DETAILS } : {};
  }
  return v;
}

/** The gateway port's fixed IPs as external_fixed_ips. */
export function gatewayInfo(state: NeutronState, r: RouterRec): View | null {
  if (!r.gw_network_id) return null;
  const port = r.gw_port_id ? state.ports.get(r.gw_port_id) : undefined;
  return {
    network_id: r.gw_network_id,
    enable_snat: r.enable_snat,
    external_fixed_ips: (port?.fixed_ips ?? []).map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
  };
}

export function routerView(state: NeutronState, ctx: Ctx, r: RouterRec): View {
  const v: View = {
    ...standard(r),
    name: r.name,
    admin_state_up: r.admin_state_up,
    status: r.status,
    external_gateway_info: gatewayInfo(state, r),
    routes: r.routes.map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
    availability_zone_hints: [...r.availability_zone_hints],
    availability_zones: r.availability_zone_hints.length ? [...r.availability_zone_hints] : state.config.availabilityZones.slice(0, 1),
    tags: [...r.tags],
  };
  if (ctx.isAdmin) {
    v.distributed = r.distributed;
    v.ha = r.ha;
  }
  return v;
}

/** Router interface ports of a router. */
export function routerInterfaces(state: NeutronState, routerId: string): PortRec[] {
  return [...state.ports.values()].filter((p) => p.device_id === routerId && p.device_owner === DEVICE_OWNER_ROUTER_INTF);
}

export function floatingIpView(state: NeutronState, _ctx: Ctx, f: FloatingIpRec): View {
  const port = f.port_id ? state.ports.get(f.port_id) : undefined;
  return {
    ...standard(f),
    floating_network_id: f.floating_network_id,
    floating_ip_address: f.floating_ip_address,
    fixed_ip_address: f.fixed_ip_address,
    port_id: f.port_id,
    router_id: f.router_id,
    status: f.status,
    port_details: port
      ? {
          name: port.name,
          network_id: port.network_id,
          mac_address: port.mac_address,
          admin_state_up: port.admin_state_up,
          status: port.status,
          device_id: port.device_id,
          device_owner: port.device_owner,
        }
      : null,
    tags: [...f.tags],
  };
}

export function ruleView(r: SecurityGroupRuleRec): View {
  const prefix = r.remote_ip_prefix ? parseCidr(r.remote_ip_prefix, true) : undefined;
  return {
    ...standard(r),
    security_group_id: r.security_group_id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    normalized_cidr: prefix ? cidrNetworkText(prefix) : null,
    remote_group_id: r.remote_group_id,
    remote_address_group_id: null,
  };
}

export function securityGroupView(state: NeutronState, _ctx: Ctx, g: SecurityGroupRec): View {
  const rules = [...state.securityGroupRules.values()].filter((r) => r.security_group_id === g.id).map(ruleView);
  return {
    ...standard(g),
    name: g.name,
    stateful: g.stateful,
    security_group_rules: rules,
    tags: [...g.tags],
  };
}
