import { BottomError, type BottomFloatingIp, type BottomSecurityGroup, type BottomSecurityGroupRule, type NeutronApi, type PodClientFactory } from '../../bottom/index.js';
import { badRequest, conflict, isJsonObject, notFound, serviceUnavailable } from '../../common/index.js';
import { Type, anyType, nullable } from '../../gateway/index.js';
import { qLast, type NovaCall } from '../call.js';
import type { PodDirectory } from '../podDirectory.js';

type Json = Record<string, unknown>;

// Request bodies of the proxy APIs (until 2.35).
const sgFields = Type.Object({ name: Type.String({ minLength: 0, maxLength: 255 }), description: Type.String({ minLength: 0, maxLength: 255 }) }, { additionalProperties: false });
export const SecurityGroupBody = Type.Object({ security_group: sgFields }, { additionalProperties: false });
export const SecurityGroupRuleBody = Type.Object(
  {
    security_group_rule: Type.Object(
      {
        parent_group_id: Type.String({ minLength: 1 }),
        ip_protocol: Type.Optional(nullable(Type.String())),
        from_port: Type.Optional(nullable(anyType(['integer', 'string']))),
        to_port: Type.Optional(nullable(anyType(['integer', 'string']))),
        cidr: Type.Optional(nullable(Type.String())),
        group_id: Type.Optional(nullable(Type.String())),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const FloatingIpCreate = nullable(Type.Object({ pool: Type.Optional(nullable(Type.String())) }));

const neutronProtocol = (p: unknown) => (typeof p === 'string' ? p.toLowerCase() : null);

/**
 * Nova's proxy APIs over the top networking service (until 2.35, as upstream): security groups and
 * their rules, floating IPs and pools, networks (read), and the floating-IP server actions (until
 * 2.43). Called with the client's token on the top region's `network` endpoint, so they see what
 * the client sees through the networking API.
 */
export class NetworkProxy {
  constructor(private readonly deps: { clients: PodClientFactory; pods: PodDirectory }) {}

  private async neutron(): Promise<NeutronApi> {
    const top = await this.deps.pods.top();
    if (!top) throw serviceUnavailable('The top region has no networking service registered.');
    return this.deps.clients.neutron(top);
  }

  // ------------------------------------------------------------------------------------------
  // Security groups

  private ruleView(r: BottomSecurityGroupRule, groups: Map<string, BottomSecurityGroup>): Json {
    const remote = typeof r.remote_group_id === 'string' ? groups.get(r.remote_group_id) : undefined;
    const cidr = typeof r.remote_ip_prefix === 'string' ? r.remote_ip_prefix : typeof r.remote_group_id === 'string' ? null : r.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0';
    return {
      from_port: r.port_range_min ?? (r.protocol === null ? -1 : null),
      group: remote ? { name: remote.name, tenant_id: remote.project_id ?? remote.tenant_id } : {},
      id: r.id,
      ip_protocol: r.protocol ?? null,
      ip_range: cidr ? { cidr } : {},
      parent_group_id: r.security_group_id,
      to_port: r.port_range_max ?? (r.protocol === null ? -1 : null),
    };
  }

  private groupView(g: BottomSecurityGroup, groups: Map<string, BottomSecurityGroup>): Json {
    return {
      description: g.description ?? '',
      id: g.id,
      name: g.name ?? '',
      rules: (g.security_group_rules ?? []).filter((r) => r.direction === 'ingress').map((r) => this.ruleView(r, groups)),
      tenant_id: g.project_id ?? g.tenant_id,
    };
  }

  async listSecurityGroups(call: NovaCall): Promise<Json[]> {
    const n = await this.neutron();
    const all = call.ctx.isAdmin && qLast(call.query, 'all_tenants') !== undefined;
    const groups = await n.listSecurityGroups(call.ctx, all ? {} : { project_id: call.ctx.projectId });
    const byId = new Map(groups.map((g) => [g.id, g]));
    let list = groups.map((g) => this.groupView(g, byId));
    const offset = Number(qLast(call.query, 'offset') ?? 0) || 0;
    const limit = qLast(call.query, 'limit');
    list = list.slice(offset, limit !== undefined ? offset + (Number(limit) || 0) : undefined);
    return list;
  }

  private async group(call: NovaCall, n: NeutronApi, id: string): Promise<BottomSecurityGroup> {
    try {
      return await n.getSecurityGroup(call.ctx, id);
    } catch (err) {
      if (err instanceof BottomError && err.status === 404) throw notFound(`Security group ${id} not found.`);
      throw err;
    }
  }

  async showSecurityGroup(call: NovaCall, id: string): Promise<Json> {
    const n = await this.neutron();
    const g = await this.group(call, n, id);
    return this.groupView(g, new Map([[g.id, g]]));
  }

  async createSecurityGroup(call: NovaCall<{ security_group: { name: string; description: string } }>): Promise<Json> {
    const n = await this.neutron();
    const g = await n.createSecurityGroup(call.ctx, { name: call.body.security_group.name, description: call.body.security_group.description });
    return this.groupView(g, new Map([[g.id, g]]));
  }

  async updateSecurityGroup(call: NovaCall<{ security_group: { name: string; description: string } }>, id: string): Promise<Json> {
    const n = await this.neutron();
    await this.group(call, n, id);
    const g = await n.updateSecurityGroup(call.ctx, id, { name: call.body.security_group.name, description: call.body.security_group.description });
    return this.groupView(g, new Map([[g.id, g]]));
  }

  async deleteSecurityGroup(call: NovaCall, id: string): Promise<void> {
    const n = await this.neutron();
    await this.group(call, n, id);
    try {
      await n.deleteSecurityGroup(call.ctx, id);
    } catch (err) {
      if (err instanceof BottomError && err.status === 409) throw badRequest(err.message);
      throw err;
    }
  }

  async createRule(call: NovaCall<{ security_group_rule: Json }>): Promise<Json> {
    const r = call.body.security_group_rule;
    const n = await this.neutron();
    const parent = await this.group(call, n, String(r.parent_group_id));
    const protocol = neutronProtocol(r.ip_protocol);
    if (protocol !== null && !['tcp', 'udp', 'icmp'].includes(protocol)) throw badRequest(`Invalid IP protocol ${String(r.ip_protocol)}.`);
    const port = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
    let from = port(r.from_port);
    let to = port(r.to_port);
    if (protocol === 'icmp' && from === -1) from = undefined;
    if (protocol === 'icmp' && to === -1) to = undefined;
    if (from !== undefined && to !== undefined && protocol !== 'icmp' && from > to) throw badRequest('Former value cannot be greater than the later');
    const groupId = typeof r.group_id === 'string' && r.group_id !== '' ? r.group_id : undefined;
    const body: Json = {
      security_group_id: parent.id,
      direction: 'ingress',
      ethertype: typeof r.cidr === 'string' && r.cidr.includes(':') ? 'IPv6' : 'IPv4',
      protocol,
      ...(from !== undefined ? { port_range_min: from } : {}),
      ...(to !== undefined ? { port_range_max: to } : {}),
      ...(groupId ? { remote_group_id: groupId } : { remote_ip_prefix: typeof r.cidr === 'string' && r.cidr !== '' ? r.cidr : '0.0.0.0/0' }),
    };
    let rule: BottomSecurityGroupRule;
    try {
      rule = await n.createSecurityGroupRule(call.ctx, body);
    } catch (err) {
      if (err instanceof BottomError && err.status === 409) throw badRequest(`This rule already exists in group ${parent.id}`);
      throw err;
    }
    const groups = new Map([[parent.id, parent]]);
    if (groupId) groups.set(groupId, await this.group(call, n, groupId));
    return this.ruleView(rule, groups);
  }

  async deleteRule(call: NovaCall, id: string): Promise<void> {
    const n = await this.neutron();
    try {
      await n.deleteSecurityGroupRule(call.ctx, id);
    } catch (err) {
      if (err instanceof BottomError && err.status === 404) throw notFound(`Security group rule ${id} not found.`);
      throw err;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Floating IPs

  private async pools(call: NovaCall, n: NeutronApi): Promise<Map<string, string>> {
    const nets = await n.listNetworks(call.ctx, { 'router:external': 'true' });
    return new Map(nets.map((x) => [x.id, x.name ?? x.id]));
  }

  private async fipView(call: NovaCall, n: NeutronApi, f: BottomFloatingIp, pools: Map<string, string>): Promise<Json> {
    let instanceId: string | null = null;
    if (typeof f.port_id === 'string' && f.port_id) {
      try {
        const port = await n.getPort(call.ctx, f.port_id);
        instanceId = port.device_id || null;
      } catch {
        instanceId = null;
      }
    }
    return {
      fixed_ip: f.fixed_ip_address ?? null,
      id: f.id,
      instance_id: instanceId,
      ip: f.floating_ip_address,
      pool: pools.get(String(f.floating_network_id)) ?? String(f.floating_network_id),
    };
  }

  async floatingIpPools(call: NovaCall): Promise<Json[]> {
    const n = await this.neutron();
    return [...(await this.pools(call, n)).values()].map((name) => ({ name }));
  }

  async listFloatingIps(call: NovaCall): Promise<Json[]> {
    const n = await this.neutron();
    const [fips, pools] = await Promise.all([n.listFloatingIps(call.ctx, { project_id: call.ctx.projectId }), this.pools(call, n)]);
    return Promise.all(fips.map((f) => this.fipView(call, n, f, pools)));
  }

  private async fip(call: NovaCall, n: NeutronApi, id: string): Promise<BottomFloatingIp> {
    try {
      return await n.getFloatingIp(call.ctx, id);
    } catch (err) {
      if (err instanceof BottomError && err.status === 404) throw notFound(`Floating IP not found for ID ${id}`);
      throw err;
    }
  }

  async showFloatingIp(call: NovaCall, id: string): Promise<Json> {
    const n = await this.neutron();
    return this.fipView(call, n, await this.fip(call, n, id), await this.pools(call, n));
  }

  async allocateFloatingIp(call: NovaCall): Promise<Json> {
    const n = await this.neutron();
    const pools = await this.pools(call, n);
    const wanted = isJsonObject(call.body) && typeof call.body.pool === 'string' ? call.body.pool : undefined;
    const poolId = wanted !== undefined ? [...pools].find(([id, name]) => name === wanted || id === wanted)?.[0] : [...pools.keys()][0];
    if (!poolId) throw notFound(wanted !== undefined ? `Floating IP pool not found: ${wanted}` : 'No floating IP pool is available.');
    let f: BottomFloatingIp;
    try {
      f = await n.createFloatingIp(call.ctx, { floating_network_id: poolId });
    } catch (err) {
      if (err instanceof BottomError && err.status === 409) throw notFound(`No more floating IPs in pool ${pools.get(poolId)}.`);
      throw err;
    }
    return this.fipView(call, n, f, pools);
  }

  async releaseFloatingIp(call: NovaCall, id: string): Promise<void> {
    const n = await this.neutron();
    await this.fip(call, n, id);
    await n.deleteFloatingIp(call.ctx, id);
  }

  /** `addFloatingIp` (until 2.43): associates the address with the server's port (on `fixed_address` when given). */
  async addFloatingIp(call: NovaCall, serverId: string, arg: unknown): Promise<void> {
    if (!isJsonObject(arg) || typeof arg.address !== 'string') throw badRequest("Invalid input for field/attribute address. Value: None. 'address' is a required property");
    const n = await this.neutron();
    const [fip] = await n.listFloatingIps(call.ctx, { floating_ip_address: arg.address });
    if (!fip) throw notFound(`floating IP not found`);
    const ports = await n.listPorts(call.ctx, { device_id: serverId });
    const fixed = typeof arg.fixed_address === 'string' ? arg.fixed_address : undefined;
    const port = fixed ? ports.find((p) => p.fixed_ips.some((ip) => ip.ip_address === fixed)) : ports.find((p) => p.fixed_ips.some((ip) => !ip.ip_address.includes(':')));
    if (!port) throw badRequest(fixed ? `Specified fixed address not assigned to instance` : 'No nw_info cache associated with instance');
    await n.updateFloatingIp(call.ctx, fip.id, { port_id: port.id, ...(fixed ? { fixed_ip_address: fixed } : {}) });
  }

  /** `removeFloatingIp` (until 2.43): 409 unless the address is on one of the server's ports. */
  async removeFloatingIp(call: NovaCall, serverId: string, arg: unknown): Promise<void> {
    if (!isJsonObject(arg) || typeof arg.address !== 'string') throw badRequest("Invalid input for field/attribute address. Value: None. 'address' is a required property");
    const n = await this.neutron();
    const [fip] = await n.listFloatingIps(call.ctx, { floating_ip_address: arg.address });
    if (!fip) throw notFound(`floating IP not found`);
    const ports = await n.listPorts(call.ctx, { device_id: serverId });
    if (!fip.port_id || !ports.some((p) => p.id === fip.port_id)) throw conflict(`Floating IP ${arg.address} is not associated with instance ${serverId}.`);
    await n.updateFloatingIp(call.ctx, fip.id, { port_id: null });
  }

  // ------------------------------------------------------------------------------------------
  // Networks (read)

  async listNetworks(call: NovaCall, tenant: boolean): Promise<Json[]> {
    const n = await this.neutron();
    const nets = await n.listNetworks(call.ctx, {});
    return nets.filter((x) => !x['router:external']).map((x) => (tenant ? this.tenantNetworkView(x) : this.networkView(call, x)));
  }

  async showNetwork(call: NovaCall, id: string, tenant: boolean): Promise<Json> {
    const n = await this.neutron();
    let net;
    try {
      net = await n.getNetwork(call.ctx, id);
    } catch (err) {
      if (err instanceof BottomError && err.status === 404) throw notFound(tenant ? 'Network not found' : `Network ${id} could not be found.`);
      throw err;
    }
    return tenant ? this.tenantNetworkView(net) : this.networkView(call, net);
  }

  private tenantNetworkView(x: Json): Json {
    return { cidr: 'None', id: x.id, label: x.name ?? '' };
  }

  private networkView(call: NovaCall, x: Json): Json {
    const out: Json = { id: x.id, label: x.name ?? '' };
    for (const k of ['broadcast', 'cidr', 'cidr_v6', 'dns1', 'dns2', 'gateway', 'gateway_v6', 'netmask', 'netmask_v6']) out[k] = null;
    if (call.ctx.isAdmin) {
      for (const k of [
        'bridge',
        'bridge_interface',
        'created_at',
        'deleted',
        'deleted_at',
        'dhcp_server',
        'dhcp_start',
        'enable_dhcp',
        'host',
        'injected',
        'mtu',
        'multi_host',
        'priority',
        'rxtx_base',
        'share_address',
        'updated_at',
        'vlan',
        'vpn_private_address',
        'vpn_public_address',
        'vpn_public_port',
      ])
        out[k] = null;
      out.project_id = x.project_id ?? x.tenant_id ?? null;
    }
    return out;
  }
}
