// RBAC policies, QoS policies and rules, trunks and floating IP port forwardings of the simulated
// Neutron, as upstream's plugins behave for what Tricircle and its tests use. Every check runs before
// any change, so a refused request changes nothing.
import { SimServiceError } from '../types.js';
import { badRequest, invalidAttr, notFound, policyNotAuthorized, pyRepr } from './errors.js';
import type { Ctx } from './context.js';
import type { Neutron } from './core.js';
import { newId, timestamp, type NetworkRec } from './state.js';
import type { Body } from './attributes.js';
import { canonicalIp } from './ipam.js';

export interface RbacRec {
  id: string;
  project_id: string;
  object_type: string;
  object_id: string;
  action: string;
  target_tenant: string;
}

export interface QosRuleRec {
  id: string;
  type: string;
  direction?: string;
  params: Record<string, number>;
}

export interface QosPolicyRec {
  id: string;
  project_id: string;
  name: string;
  description: string;
  shared: boolean;
  is_default: boolean;
  rules: QosRuleRec[];
  tags: string[];
  created_at: string;
  updated_at: string;
  revision_number: number;
}

export interface SubportRec {
  port_id: string;
  segmentation_type: string;
  segmentation_id: number;
}

export interface TrunkRec {
  id: string;
  project_id: string;
  name: string;
  description: string;
  port_id: string;
  admin_state_up: boolean;
  status: string;
  sub_ports: SubportRec[];
  tags: string[];
  created_at: string;
  updated_at: string;
  revision_number: number;
}

export interface PortForwardingRec {
  id: string;
  project_id: string;
  floatingip_id: string;
  internal_port_id: string;
  internal_ip_address: string;
  internal_port: number;
  external_port: number;
  protocol: string;
  description: string;
}

export const QOS_RULE_TYPES: Record<string, { member: string; params: Record<string, { required: boolean; dflt?: number }>; directions: string[] }> = {
  bandwidth_limit_rules: {
    member: 'bandwidth_limit_rule',
    params: { max_kbps: { required: true }, max_burst_kbps: { required: false, dflt: 0 } },
    directions: ['egress', 'ingress'],
  },
  dscp_marking_rules: { member: 'dscp_marking_rule', params: { dscp_mark: { required: true } }, directions: [] },
  minimum_bandwidth_rules: { member: 'minimum_bandwidth_rule', params: { min_kbps: { required: true } }, directions: ['egress', 'ingress'] },
  minimum_packet_rate_rules: { member: 'minimum_packet_rate_rule', params: { min_kpps: { required: true } }, directions: ['egress', 'ingress', 'any'] },
  packet_rate_limit_rules: {
    member: 'packet_rate_limit_rule',
    params: { max_kpps: { required: true }, max_burst_kpps: { required: false, dflt: 0 } },
    directions: ['egress', 'ingress'],
  },
};

const typeOf = (collection: string) => collection.replace(/_rules$/, '');

const err = (status: number, type: string, message: string) => new SimServiceError(status, message, type);
export const sharingErrors = {
  rbacNotFound: (id: string) => err(404, 'RbacPolicyNotFound', `RBAC policy of type rbac_policy with ID ${id} not found`),
  qosNotFound: (id: string) => err(404, 'QosPolicyNotFound', `QoS policy ${id} could not be found.`),
  ruleNotFound: (id: string, policy: string) => err(404, 'QosRuleNotFound', `QoS rule ${id} for policy ${policy} could not be found.`),
  trunkNotFound: (id: string) => err(404, 'TrunkNotFound', `Trunk ${id} could not be found.`),
  pfNotFound: (id: string) => err(404, 'PortForwardingNotFound', `Port Forwarding ${id} could not be found.`),
};

function checkKeys(body: Body, allowed: string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
}

function intAttr(body: Body, key: string): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw invalidAttr(key, `'${pyRepr(v)}' is not a valid integer`);
  return v;
}

export class SharingService {
  readonly rbac = new Map<string, RbacRec>();
  readonly qos = new Map<string, QosPolicyRec>();
  readonly trunks = new Map<string, TrunkRec>();
  readonly forwardings = new Map<string, PortForwardingRec>();

  constructor(private readonly n: Neutron) {}

  // ---- RBAC ----------------------------------------------------------------------------------

  /** Whether the network is shared with the project (an entry naming it or '*'). */
  networkSharedWith(net: NetworkRec, projectId: string): boolean {
    return [...this.rbac.values()].some(
      (r) => r.object_type === 'network' && r.object_id === net.id && r.action === 'access_as_shared' && (r.target_tenant === projectId || r.target_tenant === '*'),
    );
  }

  qosVisible(ctx: Ctx, p: QosPolicyRec): boolean {
    return (
      ctx.isAdmin ||
      p.project_id === ctx.projectId ||
      p.shared ||
      [...this.rbac.values()].some((r) => r.object_type === 'qos_policy' && r.object_id === p.id && (r.target_tenant === ctx.projectId || r.target_tenant === '*'))
    );
  }

  rbacVisible(ctx: Ctx): RbacRec[] {
    return [...this.rbac.values()].filter((r) => ctx.isAdmin || r.project_id === ctx.projectId);
  }

  rbacGet(ctx: Ctx, id: string): RbacRec {
    const r = this.rbac.get(id);
    if (!r || !(ctx.isAdmin || r.project_id === ctx.projectId)) throw sharingErrors.rbacNotFound(id);
    return r;
  }

  rbacCreate(ctx: Ctx, body: Body): RbacRec {
    checkKeys(body, ['object_type', 'object_id', 'action', 'target_tenant', 'target_project_id', 'project_id', 'tenant_id']);
    const objectType = body.object_type;
    if (objectType !== 'network' && objectType !== 'qos_policy') throw invalidAttr('object_type', `${pyRepr(objectType)} is not in ['network', 'qos_policy']`);
    const action = body.action;
    const actions = objectType === 'network' ? ['access_as_external', 'access_as_shared'] : ['access_as_shared'];
    if (typeof action !== 'string' || !actions.includes(action)) throw invalidAttr('action', `${pyRepr(action)} is not in ${pyRepr(actions)}`);
    const target = (body.target_project_id ?? body.target_tenant) as unknown;
    if (typeof target !== 'string') throw badRequest("Failed to parse request. Required attribute 'target_tenant' not specified");
    if (target === '*' && !ctx.isAdmin) throw policyNotAuthorized(['create_rbac_policy:target_tenant']);
    const objectId = String(body.object_id);
    const owner = this.ownerOf(ctx, objectType, objectId);
    const dup = [...this.rbac.values()].some((r) => r.object_type === objectType && r.object_id === objectId && r.action === action && r.target_tenant === target);
    if (dup) throw err(409, 'DuplicateRbacPolicy', 'An RBAC policy already exists with those values.');
    const rec: RbacRec = { id: newId(), project_id: ctx.isAdmin ? owner : ctx.projectId, object_type: objectType, object_id: objectId, action, target_tenant: target };
    this.rbac.set(rec.id, rec);
    this.afterRbacChange(rec);
    return rec;
  }

  rbacUpdate(ctx: Ctx, id: string, body: Body): RbacRec {
    const r = this.rbacGet(ctx, id);
    checkKeys(body, ['target_tenant', 'target_project_id']);
    const target = (body.target_project_id ?? body.target_tenant) as unknown;
    if (typeof target !== 'string') return r;
    if (target === '*' && !ctx.isAdmin) throw policyNotAuthorized(['update_rbac_policy:target_tenant']);
    this.checkNotInUse(r);
    r.target_tenant = target;
    this.afterRbacChange(r);
    return r;
  }

  rbacDelete(ctx: Ctx, id: string): void {
    const r = this.rbacGet(ctx, id);
    this.checkNotInUse(r);
    this.rbac.delete(id);
    this.afterRbacChange(r);
  }

  private ownerOf(ctx: Ctx, objectType: string, objectId: string): string {
    if (objectType === 'network') {
      const net = this.n.state.networks.get(objectId);
      if (!net || !(ctx.isAdmin || net.project_id === ctx.projectId)) throw notFound.network(objectId);
      return net.project_id;
    }
    const p = this.qos.get(objectId);
    if (!p || !(ctx.isAdmin || p.project_id === ctx.projectId)) throw sharingErrors.qosNotFound(objectId);
    return p.project_id;
  }

  private afterRbacChange(r: RbacRec): void {
    const wildcard = [...this.rbac.values()].some(
      (x) => x.object_type === r.object_type && x.object_id === r.object_id && x.action === 'access_as_shared' && x.target_tenant === '*',
    );
    if (r.object_type === 'network') {
      const net = this.n.state.networks.get(r.object_id);
      if (net && r.action === 'access_as_shared') {
        net.shared = wildcard;
        net.shared_with = [...this.rbac.values()]
          .filter((x) => x.object_type === 'network' && x.object_id === net.id && x.action === 'access_as_shared' && x.target_tenant !== '*')
          .map((x) => x.target_tenant);
      }
    } else {
      const p = this.qos.get(r.object_id);
      if (p) p.shared = wildcard;
    }
  }

  private checkNotInUse(r: RbacRec): void {
    if (r.action !== 'access_as_shared' || r.object_type !== 'network') return;
    const net = this.n.state.networks.get(r.object_id);
    if (!net) return;
    const others = [...this.rbac.values()].filter((x) => x.id !== r.id && x.object_type === 'network' && x.object_id === net.id && x.action === r.action);
    if (others.some((x) => x.target_tenant === '*')) return;
    const users = new Set(
      this.n.state
        .portsOf(net.id)
        .map((p) => p.project_id)
        .filter((p) => p !== '' && p !== net.project_id),
    );
    const stranded = [...users].filter((p) => (r.target_tenant === '*' || p === r.target_tenant) && !others.some((x) => x.target_tenant === p));
    if (stranded.length)
      throw err(
        409,
        'RbacPolicyInUse',
        `RBAC policy on object ${net.id} cannot be removed because other objects depend on it.\nDetails: Callback neutron.plugins.ml2.plugin.Ml2Plugin.validate_network_rbac_policy_change failed with "Unable to reconfigure sharing settings for network ${net.id}. Multiple tenants are using it."`,
      );
  }

  // ---- QoS -----------------------------------------------------------------------------------

  qosGet(ctx: Ctx, id: string): QosPolicyRec {
    const p = this.qos.get(id);
    if (!p || !this.qosVisible(ctx, p)) throw sharingErrors.qosNotFound(id);
    return p;
  }

  /** A `qos_policy_id` given on a port or network: null or a policy the caller may use. */
  checkQosRef(ctx: Ctx, value: unknown): string | null {
    if (value === null || value === undefined) return null;
    return this.qosGet(ctx, String(value)).id;
  }

  qosCreate(ctx: Ctx, body: Body): QosPolicyRec {
    checkKeys(body, ['name', 'description', 'shared', 'is_default', 'project_id', 'tenant_id']);
    if (body.shared === true && !ctx.isAdmin) throw policyNotAuthorized(['create_policy', 'create_policy:shared']);
    const now = timestamp();
    const projectId = ctx.isAdmin && typeof body.project_id === 'string' ? body.project_id : ctx.projectId;
    const p: QosPolicyRec = {
      id: newId(),
      project_id: projectId,
      name: typeof body.name === 'string' ? body.name : '',
      description: typeof body.description === 'string' ? body.description : '',
      shared: body.shared === true,
      is_default: body.is_default === true,
      rules: [],
      tags: [],
      created_at: now,
      updated_at: now,
      revision_number: 0,
    };
    this.qos.set(p.id, p);
    return p;
  }

  qosUpdate(ctx: Ctx, id: string, body: Body): QosPolicyRec {
    const p = this.qosGet(ctx, id);
    this.n.requireOwner(ctx, p, 'update_policy');
    checkKeys(body, ['name', 'description', 'shared', 'is_default']);
    if (typeof body.name === 'string') p.name = body.name;
    if (typeof body.description === 'string') p.description = body.description;
    if (typeof body.shared === 'boolean') p.shared = body.shared;
    if (typeof body.is_default === 'boolean') p.is_default = body.is_default;
    this.touch(p);
    return p;
  }

  qosDelete(ctx: Ctx, id: string): void {
    const p = this.qosGet(ctx, id);
    this.n.requireOwner(ctx, p, 'delete_policy');
    const port = [...this.n.state.ports.values()].find((x) => x.qos_policy_id === id);
    if (port) throw err(409, 'QosPolicyInUse', `QoS Policy ${id} is used by port ${port.id}.`);
    const net = [...this.n.state.networks.values()].find((x) => x.qos_policy_id === id);
    if (net) throw err(409, 'QosPolicyInUse', `QoS Policy ${id} is used by network ${net.id}.`);
    this.qos.delete(id);
    for (const r of [...this.rbac.values()]) if (r.object_type === 'qos_policy' && r.object_id === id) this.rbac.delete(r.id);
  }

  ruleCreate(ctx: Ctx, policyId: string, collection: string, body: Body): QosRuleRec {
    const p = this.qosGet(ctx, policyId);
    this.n.requireOwner(ctx, p, `create_policy_${typeOf(collection)}_rule`);
    const def = QOS_RULE_TYPES[collection];
    checkKeys(body, [...Object.keys(def.params), ...(def.directions.length ? ['direction'] : [])]);
    const params: Record<string, number> = {};
    for (const [k, spec] of Object.entries(def.params)) {
      if (k in body) params[k] = intAttr(body, k);
      else if (spec.required) throw badRequest(`Failed to parse request. Required attribute '${k}' not specified`);
      else params[k] = spec.dflt ?? 0;
    }
    const rule: QosRuleRec = { id: newId(), type: typeOf(collection), params };
    if (def.directions.length) {
      const direction = body.direction ?? 'egress';
      if (typeof direction !== 'string' || !def.directions.includes(direction)) throw invalidAttr('direction', `${pyRepr(direction)} is not in ${pyRepr(def.directions)}`);
      rule.direction = direction;
    }
    if (p.rules.some((r) => r.type === rule.type && r.direction === rule.direction)) {
      throw err(409, 'QoSRulesConflict', `Rule ${rule.type} conflicts with an existing rule in policy ${p.id}.`);
    }
    p.rules.push(rule);
    this.touch(p);
    return rule;
  }

  ruleGet(ctx: Ctx, policyId: string, collection: string, ruleId: string): { policy: QosPolicyRec; rule: QosRuleRec } {
    const policy = this.qosGet(ctx, policyId);
    const rule = policy.rules.find((r) => r.id === ruleId && r.type === typeOf(collection));
    if (!rule) throw sharingErrors.ruleNotFound(ruleId, policyId);
    return { policy, rule };
  }

  ruleUpdate(ctx: Ctx, policyId: string, collection: string, ruleId: string, body: Body): QosRuleRec {
    const { policy, rule } = this.ruleGet(ctx, policyId, collection, ruleId);
    this.n.requireOwner(ctx, policy, `update_policy_${rule.type}_rule`);
    const def = QOS_RULE_TYPES[collection];
    checkKeys(body, [...Object.keys(def.params), ...(def.directions.length ? ['direction'] : [])]);
    const params = { ...rule.params };
    for (const k of Object.keys(def.params)) if (k in body) params[k] = intAttr(body, k);
    const direction = body.direction === undefined ? rule.direction : String(body.direction);
    if (def.directions.length && !def.directions.includes(direction!)) throw invalidAttr('direction', `${pyRepr(body.direction)} is not in ${pyRepr(def.directions)}`);
    if (policy.rules.some((r) => r.id !== rule.id && r.type === rule.type && r.direction === direction)) {
      throw err(409, 'QoSRulesConflict', `Rule ${rule.type} conflicts with an existing rule in policy ${policy.id}.`);
    }
    rule.params = params;
    if (def.directions.length) rule.direction = direction;
    this.touch(policy);
    return rule;
  }

  ruleDelete(ctx: Ctx, policyId: string, collection: string, ruleId: string): void {
    const { policy, rule } = this.ruleGet(ctx, policyId, collection, ruleId);
    this.n.requireOwner(ctx, policy, `delete_policy_${rule.type}_rule`);
    policy.rules = policy.rules.filter((r) => r.id !== ruleId);
    this.touch(policy);
  }

  // ---- trunks --------------------------------------------------------------------------------

  trunkGet(ctx: Ctx, id: string): TrunkRec {
    const t = this.trunks.get(id);
    if (!t || !(ctx.isAdmin || t.project_id === ctx.projectId)) throw sharingErrors.trunkNotFound(id);
    return t;
  }

  /** The trunk a port belongs to, as parent or subport. */
  trunkOfPort(portId: string): TrunkRec | undefined {
    return [...this.trunks.values()].find((t) => t.port_id === portId || t.sub_ports.some((s) => s.port_id === portId));
  }

  trunkCreate(ctx: Ctx, body: Body): TrunkRec {
    checkKeys(body, ['name', 'description', 'port_id', 'admin_state_up', 'sub_ports', 'project_id', 'tenant_id']);
    if (typeof body.port_id !== 'string') throw badRequest("Failed to parse request. Required attribute 'port_id' not specified");
    const parent = this.n.port(ctx, body.port_id);
    if (this.trunkOfPort(parent.id)) throw err(409, 'TrunkPortInUse', `Port ${parent.id} is in use by another trunk.`);
    const subports = this.checkSubports(ctx, parent.id, [], body.sub_ports ?? []);
    const now = timestamp();
    const t: TrunkRec = {
      id: newId(),
      project_id: parent.project_id,
      name: typeof body.name === 'string' ? body.name : '',
      description: typeof body.description === 'string' ? body.description : '',
      port_id: parent.id,
      admin_state_up: body.admin_state_up !== false,
      status: parent.device_id ? 'ACTIVE' : 'DOWN',
      sub_ports: subports,
      tags: [],
      created_at: now,
      updated_at: now,
      revision_number: 0,
    };
    this.trunks.set(t.id, t);
    return t;
  }

  checkSubports(ctx: Ctx, parentId: string, existing: SubportRec[], raw: unknown): SubportRec[] {
    if (!Array.isArray(raw)) throw invalidAttr('sub_ports', `'${pyRepr(raw)}' is not a list`);
    const out: SubportRec[] = [];
    for (const s of raw as Body[]) {
      const port = this.n.port(ctx, String(s.port_id));
      if (port.id === parentId || this.trunkOfPort(port.id) || out.some((o) => o.port_id === port.id))
        throw err(409, 'PortInUseAsSubPort', `Port ${port.id} is currently a parent port for trunk or in use as a subport.`);
      const segType = s.segmentation_type ?? 'vlan';
      if (segType !== 'vlan' && segType !== 'inherit') throw invalidAttr('sub_ports', `${pyRepr(segType)} is not in ['inherit', 'vlan']`);
      const segId = Number(s.segmentation_id);
      if (!Number.isInteger(segId) || segId < 1 || segId > 4094) throw invalidAttr('sub_ports', `${pyRepr(s.segmentation_id)} is not in range 1 through 4094`);
      if ([...existing, ...out].some((o) => o.segmentation_type === segType && o.segmentation_id === segId)) {
        throw err(409, 'DuplicateSubPort', `segmentation_type ${segType} and segmentation_id ${segId} already in use on trunk.`);
      }
      out.push({ port_id: port.id, segmentation_type: String(segType), segmentation_id: segId });
    }
    return out;
  }

  // ---- port forwardings ----------------------------------------------------------------------

  pfCreate(ctx: Ctx, fipId: string, body: Body): PortForwardingRec {
    const fip = this.n.floatingip(ctx, fipId);
    checkKeys(body, ['internal_port_id', 'internal_ip_address', 'internal_port', 'external_port', 'protocol', 'description']);
    if (fip.port_id) throw badRequest(`Bad port_forwarding request: The floating IP ${fip.id} is already associated with a port.`);
    const port = this.n.port(ctx, String(body.internal_port_id));
    const ip = canonicalIp(body.internal_ip_address);
    if (!ip || !port.fixed_ips.some((f) => f.ip_address === ip)) throw badRequest(`Bad port_forwarding request: The internal IP does not belong to port ${port.id}.`);
    const protocol = body.protocol;
    if (protocol !== 'tcp' && protocol !== 'udp') throw invalidAttr('protocol', `${pyRepr(protocol)} is not in ['tcp', 'udp']`);
    const pf: PortForwardingRec = {
      id: newId(),
      project_id: fip.project_id,
      floatingip_id: fip.id,
      internal_port_id: port.id,
      internal_ip_address: ip,
      internal_port: intAttr(body, 'internal_port'),
      external_port: intAttr(body, 'external_port'),
      protocol,
      description: typeof body.description === 'string' ? body.description : '',
    };
    const clash = [...this.forwardings.values()].some((x) => x.floatingip_id === fip.id && x.external_port === pf.external_port && x.protocol === pf.protocol);
    if (clash) throw err(409, 'HTTPConflict', 'A duplicate port forwarding entry with same attributes already exists.');
    this.forwardings.set(pf.id, pf);
    return pf;
  }

  pfGet(ctx: Ctx, fipId: string, id: string): PortForwardingRec {
    this.n.floatingip(ctx, fipId);
    const pf = this.forwardings.get(id);
    if (!pf || pf.floatingip_id !== fipId) throw sharingErrors.pfNotFound(id);
    return pf;
  }

  private touch(p: { updated_at: string; revision_number: number }): void {
    p.updated_at = timestamp();
    p.revision_number += 1;
  }
}
