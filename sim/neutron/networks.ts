// Networks: ML2-like segment handling (type drivers local/flat/vlan/vxlan/geneve/gre), MTU, sharing,
// external networks, availability zone hints, and deletion rules.
import {
  convert,
  descriptionAttr,
  enforceAttrPolicy,
  nameAttr,
  ownerOf,
  parseCreate,
  parseUpdate,
  projectAttrs,
  tagsAttr,
  validate,
  type AttrMap,
  type Body,
} from './attributes.js';
import type { Ctx } from './context.js';
import type { Neutron } from './core.js';
import { conflict, invalidInput, notFound, unavailable } from './errors.js';
import { newId, type NetworkRec } from './state.js';

export const NETWORK_ATTRS: AttrMap = {
  name: nameAttr,
  description: descriptionAttr,
  ...projectAttrs,
  admin_state_up: { put: true, default: true, convert: convert.bool },
  shared: { put: true, default: false, convert: convert.bool, policy: 'admin' },
  // Upstream default is "not specified": giving it at all (even false) is subject to its rule.
  'router:external': { put: true, convert: convert.bool, policy: 'admin' },
  is_default: { put: true, default: false, convert: convert.bool, policy: 'admin' },
  'provider:network_type': { put: true, validate: validate.stringOrNone(255), policy: 'admin' },
  'provider:physical_network': { put: true, validate: validate.stringOrNone(64), policy: 'admin' },
  'provider:segmentation_id': { put: true, convert: convert.intOrNone, policy: 'admin' },
  port_security_enabled: { put: true, default: true, convert: convert.bool, policy: 'owner' },
  mtu: { put: true, convert: convert.int, validate: validate.range(68, 2 ** 31 - 1) },
  qos_policy_id: { put: true, validate: validate.uuidOrNone },
  availability_zone_hints: { default: [], convert: convert.noneToEmptyList, validate: validate.stringList(255) },
  tags: tagsAttr,
};

const TUNNEL_TYPES: Record<string, { max: number; overhead: number }> = {
  vxlan: { max: 2 ** 24 - 1, overhead: 50 },
  geneve: { max: 2 ** 24 - 1, overhead: 58 },
  gre: { max: 2 ** 32 - 1, overhead: 42 },
};

interface Segment {
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
}

export class NetworkService {
  constructor(private readonly n: Neutron) {}

  private get state() {
    return this.n.state;
  }

  create(ctx: Ctx, body: Body): NetworkRec {
    const { values, explicit } = parseCreate(NETWORK_ATTRS, body);
    enforceAttrPolicy('create_network', NETWORK_ATTRS, explicit, values, ctx);
    const projectId = ownerOf(values, ctx);
    this.checkAzHints(values.availability_zone_hints as string[]);
    const segment = this.segmentFor(values, undefined);
    const mtu = this.checkMtu(segment.network_type, values.mtu as number | undefined);
    const rec: NetworkRec = this.state.stamp({
      id: newId(),
      project_id: projectId,
      name: values.name as string,
      description: values.description as string,
      admin_state_up: values.admin_state_up as boolean,
      mtu,
      status: 'ACTIVE',
      shared: values.shared as boolean,
      external: (values['router:external'] as boolean | undefined) ?? false,
      is_default: values.is_default as boolean,
      port_security_enabled: values.port_security_enabled as boolean,
      availability_zone_hints: values.availability_zone_hints as string[],
      qos_policy_id: this.n.sharing.checkQosRef(ctx, values.qos_policy_id),
      ...segment,
      tags: values.tags as string[],
      created_at: '',
      updated_at: '',
      revision_number: 0,
    });
    this.state.networks.set(rec.id, rec);
    return rec;
  }

  update(ctx: Ctx, id: string, body: Body): NetworkRec {
    const net = this.n.network(ctx, id);
    const { values, explicit } = parseUpdate(NETWORK_ATTRS, body);
    this.n.requireOwner(ctx, net, 'update_network');
    enforceAttrPolicy('update_network', NETWORK_ATTRS, explicit, values, ctx);

    const providerKeys = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'];
    if (providerKeys.some((k) => k in values)) {
      const merged = {
        'provider:network_type': values['provider:network_type'] ?? net.network_type,
        'provider:physical_network': 'provider:physical_network' in values ? values['provider:physical_network'] : net.physical_network,
        'provider:segmentation_id': 'provider:segmentation_id' in values ? values['provider:segmentation_id'] : net.segmentation_id,
      };
      const changed =
        merged['provider:network_type'] !== net.network_type ||
        merged['provider:physical_network'] !== net.physical_network ||
        merged['provider:segmentation_id'] !== net.segmentation_id;
      if (changed) {
        if (this.state.portsOf(id).length) throw invalidInput('Plugin does not support updating provider attributes');
        Object.assign(net, this.segmentFor(merged, net));
        net.mtu = Math.min(net.mtu, this.maxMtu(net.network_type));
      }
    }
    if ('shared' in values && !values.shared && net.shared) {
      if (this.state.portsOf(id).some((p) => p.project_id !== net.project_id && p.project_id !== '')) {
        throw conflict.invalidSharedSetting(id);
      }
    }
    if ('router:external' in values && !values['router:external'] && net.external) {
      const inUse = this.state.portsOf(id).some((p) => p.device_owner === 'network:router_gateway' || p.device_owner === 'network:floatingip');
      if (inUse) throw conflict.externalNetworkInUse(id);
    }
    if ('qos_policy_id' in values) net.qos_policy_id = this.n.sharing.checkQosRef(ctx, values.qos_policy_id);
    if ('mtu' in values) net.mtu = this.checkMtu(net.network_type, values.mtu as number);
    if ('name' in values) net.name = values.name as string;
    if ('description' in values) net.description = values.description as string;
    if ('admin_state_up' in values) net.admin_state_up = values.admin_state_up as boolean;
    if ('shared' in values) net.shared = values.shared as boolean;
    if ('router:external' in values) net.external = values['router:external'] as boolean;
    if ('is_default' in values) net.is_default = values.is_default as boolean;
    if ('port_security_enabled' in values) net.port_security_enabled = values.port_security_enabled as boolean;
    if (explicit.length) this.state.touch(net);
    return net;
  }

  delete(ctx: Ctx, id: string): void {
    const net = this.n.network(ctx, id);
    this.n.requireOwner(ctx, net, 'delete_network');
    const ports = this.state.portsOf(id);
    const blocking = ports.filter((p) => p.device_owner !== 'network:dhcp');
    if (blocking.length)
      throw conflict.networkInUse(
        id,
        blocking.map((p) => p.id),
      );
    for (const p of ports) this.n.ports.remove(p);
    for (const s of this.state.subnetsOf(id)) {
      this.state.subnets.delete(s.id);
      this.state.allocations.delete(s.id);
    }
    this.state.networks.delete(id);
  }

  maxMtu(networkType: string): number {
    const base = this.state.config.globalPhysnetMtu;
    return base - (TUNNEL_TYPES[networkType]?.overhead ?? 0);
  }

  private checkMtu(networkType: string, requested: number | undefined): number {
    const max = this.maxMtu(networkType);
    if (requested === undefined) return max;
    if (requested > max) throw invalidInput(`Requested MTU is too big, maximum is ${max}`);
    return requested;
  }

  private checkAzHints(hints: string[]): void {
    for (const az of hints) {
      if (!this.state.config.availabilityZones.includes(az)) throw notFound.availabilityZone(az);
    }
  }

  /** Validates provider attributes or allocates a tenant segment, as the ML2 type drivers do. */
  private segmentFor(values: Body, current: NetworkRec | undefined): Segment {
    let type = values['provider:network_type'] as string | null | undefined;
    const physnet = (values['provider:physical_network'] as string | null | undefined) ?? null;
    const segId = (values['provider:segmentation_id'] as number | null | undefined) ?? null;
    if (type === null) type = undefined;
    if (type === undefined) {
      if (physnet !== null || segId !== null) throw invalidInput('network_type required');
      return this.tenantSegment(current);
    }
    switch (type) {
      case 'local':
        if (physnet !== null) throw invalidInput('physical_network prohibited for local provider network');
        if (segId !== null) throw invalidInput('segmentation_id prohibited for local provider network');
        return { network_type: 'local', physical_network: null, segmentation_id: null };
      case 'flat':
        if (segId !== null) throw invalidInput('segmentation_id prohibited for flat provider network');
        if (physnet === null) throw invalidInput('physical_network required for flat provider network');
        if (!this.knowsPhysnet(physnet)) throw invalidInput(`physical_network '${physnet}' unknown for flat provider network`);
        if (this.otherNetworks(current).some((n) => n.network_type === 'flat' && n.physical_network === physnet)) {
          throw conflict.flatInUse(physnet);
        }
        return { network_type: 'flat', physical_network: physnet, segmentation_id: null };
      case 'vlan':
        return this.vlanSegment(physnet, segId, current);
      default: {
        const tunnel = TUNNEL_TYPES[type];
        if (!tunnel) throw invalidInput(`network_type value '${type}' not supported`);
        if (physnet !== null) throw invalidInput(`provider:physical_network specified for ${type.toUpperCase()} network`);
        if (segId === null) return this.allocateTunnel(type, current);
        if (segId < 1 || segId > tunnel.max) {
          throw invalidInput(`segmentation_id out of range (1 through ${tunnel.max})`);
        }
        if (this.otherNetworks(current).some((n) => n.network_type === type && n.segmentation_id === segId)) {
          throw conflict.tunnelInUse(segId);
        }
        return { network_type: type, physical_network: null, segmentation_id: segId };
      }
    }
  }

  private otherNetworks(current: NetworkRec | undefined): NetworkRec[] {
    return [...this.state.networks.values()].filter((n) => n !== current && n.id !== current?.id);
  }

  private knowsPhysnet(physnet: string): boolean {
    const known = this.state.config.physicalNetworks;
    return known === undefined || known.includes(physnet);
  }

  private vlanSegment(physnet: string | null, segId: number | null, current: NetworkRec | undefined): Segment {
    if (physnet !== null && !this.knowsPhysnet(physnet)) throw invalidInput(`physical_network '${physnet}' unknown for VLAN provider network`);
    if (segId !== null) {
      if (segId < 1 || segId > 4094) throw invalidInput('segmentation_id out of range (1 through 4094)');
      if (physnet === null) throw invalidInput('segmentation_id requires physical_network for VLAN provider network');
      const taken = this.otherNetworks(current).some((n) => n.network_type === 'vlan' && n.physical_network === physnet && n.segmentation_id === segId);
      if (taken) throw conflict.vlanInUse(segId, physnet);
      return { network_type: 'vlan', physical_network: physnet, segmentation_id: segId };
    }
    const ranges = this.state.config.vlanRanges;
    const physnets = physnet !== null ? [physnet] : Object.keys(ranges);
    for (const pn of physnets) {
      const [lo, hi] = ranges[pn] ?? ranges[Object.keys(ranges)[0]] ?? [1, 4094];
      const used = new Set(
        this.otherNetworks(current)
          .filter((n) => n.network_type === 'vlan' && n.physical_network === pn)
          .map((n) => n.segmentation_id),
      );
      for (let id = lo; id <= hi; id++) {
        if (!used.has(id)) return { network_type: 'vlan', physical_network: pn, segmentation_id: id };
      }
    }
    throw unavailable.noNetworkAvailable();
  }

  private allocateTunnel(type: string, current: NetworkRec | undefined): Segment {
    const [lo, hi] = this.state.config.vniRange;
    const used = new Set(
      this.otherNetworks(current)
        .filter((n) => n.network_type === type)
        .map((n) => n.segmentation_id),
    );
    for (let id = lo; id <= hi; id++) {
      if (!used.has(id)) return { network_type: type, physical_network: null, segmentation_id: id };
    }
    throw unavailable.noNetworkAvailable();
  }

  private tenantSegment(current: NetworkRec | undefined): Segment {
    const type = this.state.config.tenantNetworkType;
    if (type === 'local') return { network_type: 'local', physical_network: null, segmentation_id: null };
    if (type === 'vlan') return this.vlanSegment(null, null, current);
    return this.allocateTunnel(type, current);
  }
}
