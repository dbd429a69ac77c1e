import { ServiceApi, seg } from './serviceApi.js';
import type { BottomCallContext, CallOptions, JsonObject, Query } from './types.js';

/** A Neutron object as the pod returns it; the named fields are the ones Tricircle reads. */
export type NeutronObject = JsonObject & { id: string; name?: string; project_id?: string; tenant_id?: string };

export type BottomNetwork = NeutronObject & {
  status?: string;
  subnets?: string[];
  'provider:network_type'?: string;
  'provider:physical_network'?: string | null;
  'provider:segmentation_id'?: number | null;
};
export type BottomSubnet = NeutronObject & { network_id: string; cidr: string; ip_version: number; gateway_ip?: string | null };
export type BottomFixedIp = { subnet_id: string; ip_address: string };
export type BottomPort = NeutronObject & { network_id: string; mac_address: string; fixed_ips: BottomFixedIp[]; device_id: string; device_owner: string; status?: string };
export type BottomSecurityGroup = NeutronObject & { security_group_rules?: BottomSecurityGroupRule[] };
export type BottomSecurityGroupRule = NeutronObject & {
  security_group_id: string;
  direction: string;
  ethertype?: string;
  protocol?: string | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
};
export type BottomRoute = { destination: string; nexthop: string };
export type BottomRouter = NeutronObject & { routes?: BottomRoute[]; external_gateway_info?: JsonObject | null; status?: string };
export type BottomRouterInterface = JsonObject & { id: string; subnet_id: string; subnet_ids?: string[]; port_id: string; network_id?: string };
export type BottomFloatingIp = NeutronObject & {
  floating_ip_address: string;
  floating_network_id: string;
  port_id?: string | null;
  fixed_ip_address?: string | null;
  router_id?: string | null;
};

/** What add/remove router interface take: a subnet or a port. */
export type RouterInterfaceRef = { subnet_id: string } | { port_id: string };

/**
 * A pod's Neutron (v2.0). Create/update take the object's attributes; the `{"network": ...}` wrapping
 * is done here. Security group rules cannot be updated in Neutron, so there is no update for them.
 */
export class NeutronApi extends ServiceApi {
  listNetworks(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<BottomNetwork[]> {
    return this.listOf(ctx, '/networks', 'networks', query, opts);
  }
  getNetwork(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomNetwork> {
    return this.one(ctx, 'GET', `/networks/${seg(id)}`, 'network', undefined, opts);
  }
  createNetwork(ctx: BottomCallContext, network: JsonObject, opts?: CallOptions): Promise<BottomNetwork> {
    return this.one(ctx, 'POST', '/networks', 'network', { network }, opts);
  }
  updateNetwork(ctx: BottomCallContext, id: string, network: JsonObject, opts?: CallOptions): Promise<BottomNetwork> {
    return this.one(ctx, 'PUT', `/networks/${seg(id)}`, 'network', { network }, opts);
  }
  deleteNetwork(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/networks/${seg(id)}`, opts);
  }

  listSubnets(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<BottomSubnet[]> {
    return this.listOf(ctx, '/subnets', 'subnets', query, opts);
  }
  getSubnet(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomSubnet> {
    return this.one(ctx, 'GET', `/subnets/${seg(id)}`, 'subnet', undefined, opts);
  }
  createSubnet(ctx: BottomCallContext, subnet: JsonObject, opts?: CallOptions): Promise<BottomSubnet> {
    return this.one(ctx, 'POST', '/subnets', 'subnet', { subnet }, opts);
  }
  updateSubnet(ctx: BottomCallContext, id: string, subnet: JsonObject, opts?: CallOptions): Promise<BottomSubnet> {
    return this.one(ctx, 'PUT', `/subnets/${seg(id)}`, 'subnet', { subnet }, opts);
  }
  deleteSubnet(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/subnets/${seg(id)}`, opts);
  }

  listPorts(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<BottomPort[]> {
    return this.listOf(ctx, '/ports', 'ports', query, opts);
  }
  getPort(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomPort> {
    return this.one(ctx, 'GET', `/ports/${seg(id)}`, 'port', undefined, opts);
  }
  createPort(ctx: BottomCallContext, port: JsonObject, opts?: CallOptions): Promise<BottomPort> {
    return this.one(ctx, 'POST', '/ports', 'port', { port }, opts);
  }
  updatePort(ctx: BottomCallContext, id: string, port: JsonObject, opts?: CallOptions): Promise<BottomPort> {
    return this.one(ctx, 'PUT', `/ports/${seg(id)}`, 'port', { port }, opts);
  }
  deletePort(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/ports/${seg(id)}`, opts);
  }

  listSecurityGroups(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<BottomSecurityGroup[]> {
    return this.listOf(ctx, '/security-groups', 'security_groups', query, opts);
  }
  getSecurityGroup(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomSecurityGroup> {
    return this.one(ctx, 'GET', `/security-groups/${seg(id)}`, 'security_group', undefined, opts);
  }
  createSecurityGroup(ctx: BottomCallContext, securityGroup: JsonObject, opts?: CallOptions): Promise<BottomSecurityGroup> {
    return this.one(ctx, 'POST', '/security-groups', 'security_group', { security_group: securityGroup }, opts);
  }
  updateSecurityGroup(ctx: BottomCallContext, id: string, securityGroup: JsonObject, opts?: CallOptions): Promise<BottomSecurityGroup> {
    return this.one(ctx, 'PUT', `/security-groups/${seg(id)}`, 'security_group', { security_group: securityGroup }, opts);
  }
  deleteSecurityGroup(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/security-groups/${seg(id)}`, opts);
  }

  listSecurityGroupRules(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<BottomSecurityGroupRule[]> {
    return this.listOf(ctx, '/security-group-rules', 'security_group_rules', query, opts);
  }
  getSecurityGroupRule(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomSecurityGroupRule> {
    return this.one(ctx, 'GET', `/security-group-rules/${seg(id)}`, 'security_group_rule', undefined, opts);
  }
  createSecurityGroupRule(ctx: BottomCallContext, rule: JsonObject, opts?: CallOptions): Promise<BottomSecurityGroupRule> {
    return this.one(ctx, 'POST', '/security-group-rules', 'security_group_rule', { security_group_rule: rule }, opts);
  }
  deleteSecurityGroupRule(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/security-group-rules/${seg(id)}`, opts);
  }

  listRouters(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<BottomRouter[]> {
    return this.listOf(ctx, '/routers', 'routers', query, opts);
  }
  getRouter(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomRouter> {
    return this.one(ctx, 'GET', `/routers/${seg(id)}`, 'router', undefined, opts);
  }
  createRouter(ctx: BottomCallContext, router: JsonObject, opts?: CallOptions): Promise<BottomRouter> {
    return this.one(ctx, 'POST', '/routers', 'router', { router }, opts);
  }
  updateRouter(ctx: BottomCallContext, id: string, router: JsonObject, opts?: CallOptions): Promise<BottomRouter> {
    return this.one(ctx, 'PUT', `/routers/${seg(id)}`, 'router', { router }, opts);
  }
  deleteRouter(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/routers/${seg(id)}`, opts);
  }
  addRouterInterface(ctx: BottomCallContext, routerId: string, ref: RouterInterfaceRef, opts?: CallOptions): Promise<BottomRouterInterface> {
    return this.call(ctx, 'PUT', `/routers/${seg(routerId)}/add_router_interface`, ref, opts);
  }
  removeRouterInterface(ctx: BottomCallContext, routerId: string, ref: RouterInterfaceRef, opts?: CallOptions): Promise<BottomRouterInterface> {
    return this.call(ctx, 'PUT', `/routers/${seg(routerId)}/remove_router_interface`, ref, opts);
  }
  /** Replaces the router's extra routes. */
  updateRouterRoutes(ctx: BottomCallContext, routerId: string, routes: BottomRoute[], opts?: CallOptions): Promise<BottomRouter> {
    return this.updateRouter(ctx, routerId, { routes }, opts);
  }

  listFloatingIps(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<BottomFloatingIp[]> {
    return this.listOf(ctx, '/floatingips', 'floatingips', query, opts);
  }
  getFloatingIp(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomFloatingIp> {
    return this.one(ctx, 'GET', `/floatingips/${seg(id)}`, 'floatingip', undefined, opts);
  }
  createFloatingIp(ctx: BottomCallContext, floatingIp: JsonObject, opts?: CallOptions): Promise<BottomFloatingIp> {
    return this.one(ctx, 'POST', '/floatingips', 'floatingip', { floatingip: floatingIp }, opts);
  }
  updateFloatingIp(ctx: BottomCallContext, id: string, floatingIp: JsonObject, opts?: CallOptions): Promise<BottomFloatingIp> {
    return this.one(ctx, 'PUT', `/floatingips/${seg(id)}`, 'floatingip', { floatingip: floatingIp }, opts);
  }
  deleteFloatingIp(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/floatingips/${seg(id)}`, opts);
  }

  // RBAC policies, QoS policies and rules, trunks, floating IP port forwardings (issue 16).
  listRbacPolicies(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<NeutronObject[]> {
    return this.listOf(ctx, '/rbac-policies', 'rbac_policies', query, opts);
  }
  createRbacPolicy(ctx: BottomCallContext, policy: JsonObject, opts?: CallOptions): Promise<NeutronObject> {
    return this.one(ctx, 'POST', '/rbac-policies', 'rbac_policy', { rbac_policy: policy }, opts);
  }
  deleteRbacPolicy(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/rbac-policies/${seg(id)}`, opts);
  }
  listQosPolicies(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<NeutronObject[]> {
    return this.listOf(ctx, '/qos/policies', 'policies', query, opts);
  }
  getQosPolicy(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<NeutronObject> {
    return this.one(ctx, 'GET', `/qos/policies/${seg(id)}`, 'policy', undefined, opts);
  }
  createQosPolicy(ctx: BottomCallContext, policy: JsonObject, opts?: CallOptions): Promise<NeutronObject> {
    return this.one(ctx, 'POST', '/qos/policies', 'policy', { policy }, opts);
  }
  deleteQosPolicy(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/qos/policies/${seg(id)}`, opts);
  }
  /** `collection` is the rule type's collection, e.g. bandwidth_limit_rules; `member` its body key. */
  createQosRule(ctx: BottomCallContext, policyId: string, collection: string, member: string, rule: JsonObject, opts?: CallOptions): Promise<NeutronObject> {
    return this.one(ctx, 'POST', `/qos/policies/${seg(policyId)}/${seg(collection)}`, member, { [member]: rule }, opts);
  }
  deleteQosRule(ctx: BottomCallContext, policyId: string, collection: string, ruleId: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/qos/policies/${seg(policyId)}/${seg(collection)}/${seg(ruleId)}`, opts);
  }
  listTrunks(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<NeutronObject[]> {
    return this.listOf(ctx, '/trunks', 'trunks', query, opts);
  }
  createTrunk(ctx: BottomCallContext, trunk: JsonObject, opts?: CallOptions): Promise<NeutronObject> {
    return this.one(ctx, 'POST', '/trunks', 'trunk', { trunk }, opts);
  }
  updateTrunk(ctx: BottomCallContext, id: string, trunk: JsonObject, opts?: CallOptions): Promise<NeutronObject> {
    return this.one(ctx, 'PUT', `/trunks/${seg(id)}`, 'trunk', { trunk }, opts);
  }
  async trunkSubports(ctx: BottomCallContext, id: string, action: 'add_subports' | 'remove_subports', subPorts: JsonObject[], opts?: CallOptions): Promise<void> {
    await this.call(ctx, 'PUT', `/trunks/${seg(id)}/${action}`, { sub_ports: subPorts }, opts);
  }
  deleteTrunk(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/trunks/${seg(id)}`, opts);
  }
  listPortForwardings(ctx: BottomCallContext, floatingIpId: string, query?: Query, opts?: CallOptions): Promise<NeutronObject[]> {
    return this.listOf(ctx, `/floatingips/${seg(floatingIpId)}/port_forwardings`, 'port_forwardings', query, opts);
  }
  createPortForwarding(ctx: BottomCallContext, floatingIpId: string, pf: JsonObject, opts?: CallOptions): Promise<NeutronObject> {
    return this.one(ctx, 'POST', `/floatingips/${seg(floatingIpId)}/port_forwardings`, 'port_forwarding', { port_forwarding: pf }, opts);
  }
  deletePortForwarding(ctx: BottomCallContext, floatingIpId: string, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/floatingips/${seg(floatingIpId)}/port_forwardings/${seg(id)}`, opts);
  }
}
