// Routes of the core and L3 resources: networks, subnets, ports, routers (with their actions),
// floating IPs, security groups and security group rules.
import type { FastifyInstance } from 'fastify';
import { canSeeNetwork, canSeeOwned, canSeePort, canSeeRule, canSeeSubnet } from '../context.js';
import { notFound } from '../errors.js';
import { parseIp } from '../ipam.js';
import type { CollectionSpec, FilterKind, View } from '../query.js';
import { floatingIpView, networkView, portView, routerView, ruleView, securityGroupView, subnetView } from '../views.js';
import { ctxOf, registerResource, type RouteDeps } from './common.js';

const standardFilters: Record<string, FilterKind> = {
  id: 'str',
  tenant_id: 'str',
  project_id: 'str',
  description: 'str',
  revision_number: 'int',
  created_at: 'str',
  updated_at: 'str',
};

/** `fixed_ips=ip_address=…`, `fixed_ips=subnet_id=…`, `fixed_ips=ip_address_substr=…`, all on one allocation. */
const fixedIpsFilter: FilterKind = (item: View, values: string[]) => {
  const wanted: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) continue;
    const key = v.slice(0, eq);
    (wanted[key] ??= []).push(v.slice(eq + 1));
  }
  const ips = (item.fixed_ips as { subnet_id: string; ip_address: string }[]) ?? [];
  return ips.some((f) => {
    if (wanted.ip_address && !wanted.ip_address.some((ip) => parseIp(ip) && canonicalEq(ip, f.ip_address))) return false;
    if (wanted.subnet_id && !wanted.subnet_id.includes(f.subnet_id)) return false;
    if (wanted.ip_address_substr && !wanted.ip_address_substr.some((s) => f.ip_address.includes(s))) return false;
    return true;
  });
};

function canonicalEq(a: string, b: string): boolean {
  const pa = parseIp(a);
  const pb = parseIp(b);
  return !!pa && !!pb && pa.version === pb.version && pa.value === pb.value;
}

export const SPECS: Record<string, CollectionSpec> = {
  networks: {
    collection: 'networks',
    path: 'networks',
    tagged: true,
    filters: {
      ...standardFilters,
      name: 'str',
      admin_state_up: 'bool',
      status: 'str',
      shared: 'bool',
      'router:external': 'bool',
      is_default: 'bool',
      mtu: 'int',
      port_security_enabled: 'bool',
      'provider:network_type': 'str',
      'provider:physical_network': 'str',
      'provider:segmentation_id': 'int',
    },
  },
  subnets: {
    collection: 'subnets',
    path: 'subnets',
    tagged: true,
    filters: {
      ...standardFilters,
      name: 'str',
      network_id: 'str',
      ip_version: 'int',
      cidr: 'str',
      gateway_ip: 'str',
      enable_dhcp: 'bool',
      ipv6_ra_mode: 'str',
      ipv6_address_mode: 'str',
      subnetpool_id: 'str',
      segment_id: 'str',
      service_types: 'inlist',
      'router:external': 'bool',
    },
  },
  ports: {
    collection: 'ports',
    path: 'ports',
    tagged: true,
    filters: {
      ...standardFilters,
      name: 'str',
      network_id: 'str',
      mac_address: 'str',
      admin_state_up: 'bool',
      status: 'str',
      device_id: 'str',
      device_owner: 'str',
      fixed_ips: fixedIpsFilter,
      security_groups: 'inlist',
      port_security_enabled: 'bool',
      ip_allocation: 'str',
      'binding:host_id': 'str',
      'binding:vnic_type': 'str',
      'binding:vif_type': 'str',
    },
  },
  routers: {
    collection: 'routers',
    path: 'routers',
    tagged: true,
    filters: {
      ...standardFilters,
      name: 'str',
      admin_state_up: 'bool',
      status: 'str',
      distributed: 'bool',
      ha: 'bool',
    },
  },
  floatingips: {
    collection: 'floatingips',
    path: 'floatingips',
    tagged: true,
    filters: {
      ...standardFilters,
      floating_network_id: 'str',
      floating_ip_address: 'str',
      fixed_ip_address: 'str',
      port_id: 'str',
      router_id: 'str',
      status: 'str',
    },
  },
  security_groups: {
    collection: 'security_groups',
    path: 'security-groups',
    tagged: true,
    filters: { ...standardFilters, name: 'str', stateful: 'bool' },
  },
  security_group_rules: {
    collection: 'security_group_rules',
    path: 'security-group-rules',
    tagged: false,
    filters: {
      ...standardFilters,
      security_group_id: 'str',
      direction: 'str',
      ethertype: 'str',
      protocol: 'str',
      port_range_min: 'int',
      port_range_max: 'int',
      remote_ip_prefix: 'str',
      normalized_cidr: 'str',
      remote_group_id: 'str',
      remote_address_group_id: 'str',
    },
  },
};

export function registerResourceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const n = deps.neutron;
  const s = n.state;

  registerResource(app, deps, {
    spec: SPECS.networks,
    member: 'network',
    quota: 'network',
    visible: (ctx) => [...s.networks.values()].filter((r) => canSeeNetwork(ctx, r)),
    get: (ctx, id) => n.network(ctx, id),
    notFound: notFound.network,
    view: (ctx, r) => networkView(s, ctx, r),
    create: (ctx, body) => n.networks.create(ctx, body),
    update: (ctx, id, body) => n.networks.update(ctx, id, body),
    remove: (ctx, id) => n.networks.delete(ctx, id),
  });

  registerResource(app, deps, {
    spec: SPECS.subnets,
    member: 'subnet',
    quota: 'subnet',
    visible: (ctx) => [...s.subnets.values()].filter((r) => canSeeSubnet(s, ctx, r)),
    get: (ctx, id) => n.subnet(ctx, id),
    notFound: notFound.subnet,
    view: (ctx, r) => subnetView(s, ctx, r),
    create: (ctx, body) => n.subnets.create(ctx, body),
    update: (ctx, id, body) => n.subnets.update(ctx, id, body),
    remove: (ctx, id) => n.subnets.delete(ctx, id),
  });

  registerResource(app, deps, {
    spec: SPECS.ports,
    member: 'port',
    quota: 'port',
    visible: (ctx) => [...s.ports.values()].filter((r) => canSeePort(s, ctx, r)),
    get: (ctx, id) => n.port(ctx, id),
    notFound: notFound.port,
    view: (ctx, r) => portView(s, ctx, r),
    create: (ctx, body) => n.ports.create(ctx, body),
    update: (ctx, id, body) => n.ports.update(ctx, id, body),
    remove: (ctx, id) => n.ports.delete(ctx, id),
  });

  registerResource(app, deps, {
    spec: SPECS.routers,
    member: 'router',
    quota: 'router',
    visible: (ctx) => [...s.routers.values()].filter((r) => canSeeOwned(ctx, r)),
    get: (ctx, id) => n.router(ctx, id),
    notFound: notFound.router,
    view: (ctx, r) => routerView(s, ctx, r),
    create: (ctx, body) => n.routers.create(ctx, body),
    bulk: false,
    update: (ctx, id, body) => n.routers.update(ctx, id, body),
    remove: (ctx, id) => n.routers.delete(ctx, id),
  });

  registerResource(app, deps, {
    spec: SPECS.floatingips,
    member: 'floatingip',
    quota: 'floatingip',
    visible: (ctx) => [...s.floatingips.values()].filter((r) => canSeeOwned(ctx, r)),
    get: (ctx, id) => n.floatingip(ctx, id),
    notFound: notFound.floatingip,
    view: (ctx, r) => floatingIpView(s, ctx, r),
    create: (ctx, body) => n.floatingips.create(ctx, body),
    bulk: false,
    update: (ctx, id, body) => n.floatingips.update(ctx, id, body),
    remove: (ctx, id) => n.floatingips.delete(ctx, id),
  });

  registerResource(app, deps, {
    spec: SPECS.security_groups,
    member: 'security_group',
    quota: 'security_group',
    visible: (ctx) => {
      if (ctx.projectId) n.securityGroups.ensureDefault(ctx.projectId);
      return [...s.securityGroups.values()].filter((r) => canSeeOwned(ctx, r));
    },
    get: (ctx, id) => n.securityGroup(ctx, id),
    notFound: notFound.securityGroup,
    view: (ctx, r) => securityGroupView(s, ctx, r),
    create: (ctx, body) => n.securityGroups.create(ctx, body),
    update: (ctx, id, body) => n.securityGroups.update(ctx, id, body),
    remove: (ctx, id) => n.securityGroups.delete(ctx, id),
  });

  registerResource(app, deps, {
    spec: SPECS.security_group_rules,
    member: 'security_group_rule',
    quota: 'security_group_rule',
    visible: (ctx) => [...s.securityGroupRules.values()].filter((r) => canSeeRule(s, ctx, r)),
    get: (ctx, id) => n.securityGroupRule(ctx, id),
    notFound: notFound.securityGroupRule,
    view: (_ctx, r) => ruleView(r),
    create: (ctx, body) => n.securityGroups.createRule(ctx, body),
    createBulk: (ctx, bodies) => n.securityGroups.createRules(ctx, bodies),
    remove: (ctx, id) => n.securityGroups.deleteRule(ctx, id),
  });

  // Router actions.
  app.put('/v2.0/routers/:id/add_router_interface', async (req) => {
    const ctx = ctxOf(req);
    const { id } = req.params as { id: string };
    return n.tx(() => n.routers.addInterface(ctx, id, req.body));
  });
  app.put('/v2.0/routers/:id/remove_router_interface', async (req) => {
    const ctx = ctxOf(req);
    const { id } = req.params as { id: string };
    return n.tx(() => n.routers.removeInterface(ctx, id, req.body));
  });
  app.put('/v2.0/routers/:id/add_extraroutes', async (req) => {
    const ctx = ctxOf(req);
    const { id } = req.params as { id: string };
    const router = n.tx(() => n.routers.addExtraRoutes(ctx, id, req.body));
    return { router: routerView(s, ctx, router) };
  });
  app.put('/v2.0/routers/:id/remove_extraroutes', async (req) => {
    const ctx = ctxOf(req);
    const { id } = req.params as { id: string };
    const router = n.tx(() => n.routers.removeExtraRoutes(ctx, id, req.body));
    return { router: routerView(s, ctx, router) };
  });
}
