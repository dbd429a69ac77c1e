// Ports: IP allocation (requested addresses, next free address from the pools, SLAAC EUI-64), MAC
// addresses, security groups and port security, allowed address pairs, binding and status.
import { createHash } from 'node:crypto';
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
import { ownsNetwork, type Ctx } from './context.js';
import type { Neutron } from './core.js';
import { bad, badRequest, conflict, httpNotFound, invalidInput, notFound, policyNotAuthorized } from './errors.js';
import { canonicalIp, canonicalMac, eui64Address, isValidHostIp, nextFreeIp, parseCidr, parseIp } from './ipam.js';
import { newId, type AddressPair, type ExtraDhcpOpt, type FixedIp, type NetworkRec, type PortRec, type SubnetRec } from './state.js';
import { isAutoAddressSubnet, subnetCidr } from './subnets.js';
import { SimServiceError } from '../types.js';

const VNIC_TYPES = [
  'normal',
  'direct',
  'macvtap',
  'baremetal',
  'direct-physical',
  'virtio-forwarder',
  'smart-nic',
  'vdpa',
  'accelerator-direct',
  'accelerator-direct-physical',
  'remote-managed',
];

export const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];
const ROUTER_PORT_OWNERS = [...ROUTER_INTERFACE_OWNERS, 'network:router_gateway'];
/** Ports the L3 plugin owns: they cannot be deleted through the port API. */
const L3_OWNED = ['network:router_interface', 'network:router_gateway', 'network:floatingip', 'network:router_interface_distributed'];

export const PORT_ATTRS: AttrMap = {
  name: nameAttr,
  description: descriptionAttr,
  ...projectAttrs,
  network_id: { required: true, validate: validate.uuid },
  admin_state_up: { put: true, default: true, convert: convert.bool },
  mac_address: { put: true, validate: validate.mac, policy: 'network_owner', updatePolicy: 'admin' },
  fixed_ips: {
    put: true,
    convert: convert.noneToEmptyList,
    validate: validate.fixedIps,
    policy: 'owner',
    subPolicy: { subnet_id: 'owner', ip_address: 'network_owner' },
  },
  device_id: { put: true, default: '', validate: validate.string(255) },
  device_owner: {
    put: true,
    default: '',
    validate: validate.string(255),
    policyFor: (v) => (typeof v === 'string' && v.startsWith('network:') ? 'network_owner' : 'owner'),
  },
  security_groups: { put: true, convert: convert.noneToEmptyList, validate: validate.uuidList },
  allowed_address_pairs: {
    put: true,
    convert: convert.noneToEmptyList,
    validate: validate.addressPairs,
    policy: 'network_owner',
    subPolicy: { ip_address: 'network_owner', mac_address: 'network_owner' },
  },
  port_security_enabled: { put: true, convert: convert.bool, policy: 'network_owner' },
  qos_policy_id: { put: true, validate: validate.uuidOrNone },
  extra_dhcp_opts: { put: true, default: [], convert: convert.noneToEmptyList, validate: validate.list },
  propagate_uplink_status: { default: false, convert: convert.bool },
  'binding:host_id': { put: true, validate: validate.string(255), policy: 'admin' },
  'binding:profile': { put: true, convert: (v) => (v === null ? {} : v), validate: validate.dict, policy: 'admin' },
  'binding:vnic_type': { put: true, default: 'normal', validate: validate.values(VNIC_TYPES), policy: 'owner' },
  tags: tagsAttr,
};

interface FixedIpRequest {
  subnet_id?: string;
  ip_address?: string;
}

function dhcpDeviceId(host: string, networkId: string): string {
  const h = createHash('sha1').update(host).digest('hex');
  return `dhcp${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}-${networkId}`;
}

function parseExtraDhcpOpts(opts: unknown[]): ExtraDhcpOpt[] {
  return opts.map((o) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      throw badRequest(`Invalid input for extra_dhcp_opts. Reason: Invalid data format for extra-dhcp-opt: ${JSON.stringify(o)}.`);
    }
    const rec = o as Record<string, unknown>;
    if (typeof rec.opt_name !== 'string' || (rec.opt_value !== null && typeof rec.opt_value !== 'string')) {
      throw badRequest(`Invalid input for extra_dhcp_opts. Reason: Invalid data format for extra-dhcp-opt: ${JSON.stringify(o)}.`);
    }
    const ipVersion = rec.ip_version === undefined ? 4 : Number(rec.ip_version);
    return { opt_name: rec.opt_name, opt_value: (rec.opt_value as string | null) ?? '', ip_version: ipVersion };
  });
}

export class PortService {
  constructor(private readonly n: Neutron) {}

  private get state() {
    return this.n.state;
  }

  // ---------------------------------------------------------------- API operations

  create(ctx: Ctx, body: Body): PortRec {
    const { values, explicit } = parseCreate(PORT_ATTRS, body);
    const net = this.n.network(ctx, values.network_id as string);
    const projectId = ownerOf(values, ctx);
    if (!ctx.isAdmin && !net.shared && net.project_id !== projectId && !net.shared_with?.includes(projectId)) throw httpNotFound();
    const netOwner = ownsNetwork(ctx, net);
    this.enforce('create_port', explicit, values, ctx, netOwner);

    const deviceOwner = values.device_owner as string;
    const mac = this.pickMac(net, values.mac_address as string | undefined);
    const portSecurity = (values.port_security_enabled as boolean | undefined) ?? net.port_security_enabled;
    const id = newId();
    const port: PortRec = this.state.stamp({
      id,
      project_id: projectId,
      name: values.name as string,
      description: values.description as string,
      network_id: net.id,
      mac_address: mac,
      admin_state_up: values.admin_state_up as boolean,
      status: 'DOWN',
      device_id: values.device_id as string,
      device_owner: deviceOwner,
      fixed_ips: [],
      security_groups: [],
      allowed_address_pairs: [],
      port_security_enabled: portSecurity,
      extra_dhcp_opts: parseExtraDhcpOpts(values.extra_dhcp_opts as unknown[]),
      propagate_uplink_status: values.propagate_uplink_status as boolean,
      binding_host_id: (values['binding:host_id'] as string | undefined) ?? '',
      binding_profile: (values['binding:profile'] as Record<string, unknown> | undefined) ?? {},
      binding_vnic_type: values['binding:vnic_type'] as string,
      qos_policy_id: this.n.sharing.checkQosRef(ctx, values.qos_policy_id),
      tags: values.tags as string[],
      created_at: '',
      updated_at: '',
      revision_number: 0,
    });
    port.fixed_ips = this.allocate(net, port, values.fixed_ips as FixedIpRequest[] | undefined);
    port.security_groups = this.securityGroupsFor(ctx, port, values.security_groups as string[] | undefined);
    port.allowed_address_pairs = this.addressPairs(port, (values.allowed_address_pairs as AddressPair[] | undefined) ?? []);
    port.status = this.statusOf(port);
    this.state.ports.set(id, port);
    return port;
  }

  update(ctx: Ctx, id: string, body: Body): PortRec {
    const port = this.n.port(ctx, id);
    const net = this.state.networks.get(port.network_id)!;
    if (!ctx.isAdmin && port.project_id !== ctx.projectId) throw policyNotAuthorized(['update_port']);
    const { values, explicit } = parseUpdate(PORT_ATTRS, body);
    this.enforce('update_port', explicit, values, ctx, ownsNetwork(ctx, net));
    return this.applyUpdate(ctx, port, net, values, explicit);
  }

  delete(ctx: Ctx, id: string): void {
    const port = this.n.port(ctx, id);
    const net = this.state.networks.get(port.network_id)!;
    if (!ctx.isAdmin && port.project_id !== ctx.projectId && !ownsNetwork(ctx, net)) {
      throw policyNotAuthorized(['delete_port']);
    }
    if (L3_OWNED.includes(port.device_owner)) {
      const owner = port.device_owner === 'network:floatingip' ? this.state.floatingips.has(port.device_id) : this.state.routers.has(port.device_id);
      if (owner) throw conflict.servicePortInUse(id, `has device owner ${port.device_owner}`);
    }
    this.remove(port);
  }

  // ---------------------------------------------------------------- internal operations

  /** Applies a parsed update (API callers and the simulated Nova). */
  applyUpdate(ctx: Ctx, port: PortRec, net: NetworkRec, values: Body, explicit: string[]): PortRec {
    if ('mac_address' in values) {
      const mac = canonicalMac(values.mac_address)!;
      if (mac !== port.mac_address) {
        if (port.binding_host_id !== '') {
          throw new SimServiceError(
            409,
            `Unable to complete operation on port ${port.id}, port is already bound, port type: ovs, old_mac ${port.mac_address}, new_mac ${mac}.`,
            'PortBound',
          );
        }
        if (this.state.portsOf(net.id).some((p) => p.id !== port.id && p.mac_address === mac)) throw conflict.macInUse(net.id, mac);
        port.mac_address = mac;
      }
    }
    if ('name' in values) port.name = values.name as string;
    if ('description' in values) port.description = values.description as string;
    if ('admin_state_up' in values) port.admin_state_up = values.admin_state_up as boolean;
    if ('device_id' in values) port.device_id = values.device_id as string;
    if ('device_owner' in values) port.device_owner = values.device_owner as string;
    if ('binding:host_id' in values) port.binding_host_id = values['binding:host_id'] as string;
    if ('binding:profile' in values) port.binding_profile = values['binding:profile'] as Record<string, unknown>;
    if ('binding:vnic_type' in values) port.binding_vnic_type = values['binding:vnic_type'] as string;
    if ('qos_policy_id' in values) port.qos_policy_id = this.n.sharing.checkQosRef(ctx, values.qos_policy_id);
    if ('extra_dhcp_opts' in values) port.extra_dhcp_opts = parseExtraDhcpOpts(values.extra_dhcp_opts as unknown[]);
    if ('fixed_ips' in values) this.reallocate(net, port, values.fixed_ips as FixedIpRequest[]);

    if ('port_security_enabled' in values) {
      const enabled = values.port_security_enabled as boolean;
      if (!enabled && port.port_security_enabled) {
        const sgsAfter = 'security_groups' in values ? (values.security_groups as string[]) : port.security_groups;
        if (sgsAfter.length) {
          throw new SimServiceError(
            409,
            'Port has security group associated. Cannot disable port security or ip address until security group is removed',
            'PortSecurityPortHasSecurityGroup',
          );
        }
        const pairsAfter = 'allowed_address_pairs' in values ? (values.allowed_address_pairs as unknown[]) : port.allowed_address_pairs;
        if (pairsAfter.length) throw conflict.addressPairAndPortSecurityRequired();
      }
      port.port_security_enabled = enabled;
    }
    if ('security_groups' in values) {
      port.security_groups = this.securityGroupsFor(ctx, port, values.security_groups as string[]);
    }
    if ('allowed_address_pairs' in values) {
      port.allowed_address_pairs = this.addressPairs(port, values.allowed_address_pairs as AddressPair[]);
    }
    // Status follows binding changes; other updates leave what the agents last reported.
    const bindingKeys = ['device_id', 'device_owner', 'binding:host_id', 'admin_state_up'];
    if (bindingKeys.some((k) => k in values)) port.status = this.statusOf(port);
    if (explicit.length) this.state.touch(port);
    return port;
  }

  /** Removes a port: its addresses are released and floating IPs on it are disassociated. */
  remove(port: PortRec): void {
    for (const f of port.fixed_ips) this.state.usedIps(f.subnet_id).delete(f.ip_address);
    for (const fip of this.state.floatingips.values()) {
      if (fip.port_id === port.id) this.n.floatingips.disassociate(fip);
    }
    this.state.ports.delete(port.id);
  }

  /** A port owned by the network node (router gateway/interface, floating IP). */
  createServicePort(net: NetworkRec, opts: { projectId: string; deviceOwner: string; deviceId: string; fixedIps?: FixedIpRequest[]; bound: boolean }): PortRec {
    const port: PortRec = this.state.stamp({
      id: newId(),
      project_id: opts.projectId,
      name: '',
      description: '',
      network_id: net.id,
      mac_address: this.state.generateMac(net.id),
      admin_state_up: true,
      status: 'DOWN',
      device_id: opts.deviceId,
      device_owner: opts.deviceOwner,
      fixed_ips: [],
      security_groups: [],
      allowed_address_pairs: [],
      port_security_enabled: false,
      extra_dhcp_opts: [],
      propagate_uplink_status: false,
      binding_host_id: opts.bound ? this.state.config.networkHost : '',
      binding_profile: {},
      binding_vnic_type: 'normal',
      tags: [],
      created_at: '',
      updated_at: '',
      revision_number: 0,
    });
    port.fixed_ips = this.allocate(net, port, opts.fixedIps);
    port.status = this.statusOf(port);
    this.state.ports.set(port.id, port);
    return port;
  }

  createDhcpPort(net: NetworkRec): PortRec {
    const host = this.state.config.networkHost;
    const port = this.createServicePort(net, {
      projectId: net.project_id,
      deviceOwner: 'network:dhcp',
      deviceId: dhcpDeviceId(host, net.id),
      fixedIps: [],
      bound: true,
    });
    port.port_security_enabled = net.port_security_enabled;
    return port;
  }

  /** The DHCP agent takes over a DHCP port made for it in advance (device_id `reserved_dhcp_port`). */
  adoptDhcpPort(port: PortRec): void {
    const host = this.state.config.networkHost;
    port.device_id = dhcpDeviceId(host, port.network_id);
    port.binding_host_id = host;
    port.status = this.statusOf(port);
    this.state.touch(port);
  }

  /** Adds an address on the subnet to a port if one is free (used for agent-managed ports). */
  tryAddIp(port: PortRec, subnet: SubnetRec): void {
    const ip = isAutoAddressSubnet(subnet) ? eui64Address(subnetCidr(subnet), port.mac_address) : this.nextFree(subnet);
    if (!ip || this.state.usedIps(subnet.id).has(ip)) return;
    this.reserve(port.id, subnet.id, ip);
    port.fixed_ips = [...port.fixed_ips, { subnet_id: subnet.id, ip_address: ip }];
    this.state.touch(port);
  }

  addAutoAddress(port: PortRec, subnet: SubnetRec): void {
    this.tryAddIp(port, subnet);
  }

  /** Replaces a port's fixed IPs following upstream's rules for which addresses are kept. */
  reallocate(net: NetworkRec, port: PortRec, requested: FixedIpRequest[]): void {
    const original = [...port.fixed_ips];
    const keep: FixedIp[] = [];
    const add: FixedIpRequest[] = [];
    const byIp = new Map(original.map((f) => [f.ip_address, f]));
    for (const req of requested) {
      if (req.ip_address === undefined) continue;
      const ip = canonicalIp(req.ip_address)!;
      const orig = byIp.get(ip);
      if (orig && (req.subnet_id === undefined || req.subnet_id === orig.subnet_id)) {
        keep.push(orig);
        byIp.delete(ip);
      } else {
        add.push(req);
      }
    }
    const remaining = [...byIp.values()];
    for (const req of requested) {
      if (req.ip_address !== undefined) continue;
      const idx = remaining.findIndex((f) => f.subnet_id === req.subnet_id);
      if (idx >= 0) keep.push(...remaining.splice(idx, 1));
      else add.push(req);
    }
    const routerPort = ROUTER_INTERFACE_OWNERS.includes(port.device_owner);
    for (const f of remaining) {
      const subnet = this.state.subnets.get(f.subnet_id);
      if (subnet && isAutoAddressSubnet(subnet) && !routerPort) keep.push(f);
      else this.state.usedIps(f.subnet_id).delete(f.ip_address);
    }
    const added = add.length ? this.allocateRequested(net, port, add) : [];
    port.fixed_ips = [...keep, ...added];
  }

  statusOf(port: PortRec): string {
    if (port.device_owner === 'network:floatingip') return 'N/A';
    if (!port.admin_state_up) return 'DOWN';
    return port.binding_host_id !== '' && port.device_id !== '' ? 'ACTIVE' : 'DOWN';
  }

  // ---------------------------------------------------------------- helpers

  private enforce(action: string, explicit: string[], values: Body, ctx: Ctx, netOwner: boolean): void {
    enforceAttrPolicy(action, PORT_ATTRS, explicit, values, { isAdmin: ctx.isAdmin, networkOwner: netOwner });
  }

  private pickMac(net: NetworkRec, requested: string | undefined): string {
    if (requested === undefined) return this.state.generateMac(net.id);
    const mac = canonicalMac(requested)!;
    if (this.state.portsOf(net.id).some((p) => p.mac_address === mac)) throw conflict.macInUse(net.id, mac);
    return mac;
  }

  private reserve(portId: string, subnetId: string, ip: string): void {
    this.state.usedIps(subnetId).set(ip, portId);
  }

  private nextFree(subnet: SubnetRec): string | undefined {
    const version = subnet.ip_version;
    const pools = subnet.allocation_pools.map((p) => ({ start: parseIp(p.start)!.value, end: parseIp(p.end)!.value }));
    return nextFreeIp(version, pools, this.state.usedIps(subnet.id).values);
  }

  /** Subnets a device owner may take addresses from (subnet service types), preferring typed subnets. */
  private candidateSubnets(net: NetworkRec, deviceOwner: string): SubnetRec[] {
    const all = this.state.subnetsOf(net.id);
    const matching = all.filter((s) => s.service_types.length === 0 || s.service_types.includes(deviceOwner));
    return [...matching.filter((s) => s.service_types.length), ...matching.filter((s) => !s.service_types.length)];
  }

  /** Allocates a new port's addresses: the requested ones, or one per IP family plus SLAAC addresses. */
  private allocate(net: NetworkRec, port: PortRec, requested: FixedIpRequest[] | undefined): FixedIp[] {
    if (requested !== undefined) return this.allocateRequested(net, port, requested);
    const routerPort = ROUTER_INTERFACE_OWNERS.includes(port.device_owner);
    const subnets = this.candidateSubnets(net, port.device_owner);
    const out: FixedIp[] = [];
    const pickOne = (group: SubnetRec[]): void => {
      if (!group.length) return;
      for (const s of group) {
        const ip = this.nextFree(s);
        if (ip) {
          this.reserve(port.id, s.id, ip);
          out.push({ subnet_id: s.id, ip_address: ip });
          return;
        }
      }
      throw conflict.ipGenerationFailureNetwork(net.id);
    };
    pickOne(subnets.filter((s) => s.ip_version === 4));
    pickOne(subnets.filter((s) => s.ip_version === 6 && !isAutoAddressSubnet(s)));
    if (!routerPort && port.device_owner !== 'network:floatingip') {
      for (const s of subnets.filter(isAutoAddressSubnet)) {
        const ip = eui64Address(subnetCidr(s), port.mac_address);
        if (this.state.usedIps(s.id).has(ip)) throw conflict.ipAlreadyAllocated(ip, s.id);
        this.reserve(port.id, s.id, ip);
        out.push({ subnet_id: s.id, ip_address: ip });
      }
    }
    if (subnets.length === 0 && this.state.subnetsOf(net.id).length > 0) {
      throw new SimServiceError(
        409,
        `No valid service subnet for the given device owner, network ${net.id}, service type ${port.device_owner}.`,
        'IpAddressGenerationFailureNoMatchingSubnet',
      );
    }
    return out;
  }

  private allocateRequested(net: NetworkRec, port: PortRec, requested: FixedIpRequest[]): FixedIp[] {
    const routerPort = ROUTER_PORT_OWNERS.includes(port.device_owner);
    const netSubnets = this.state.subnetsOf(net.id);
    if (requested.length && !netSubnets.length) throw invalidInput('IP allocation requires subnets for network');
    const out: FixedIp[] = [];
    for (const req of requested) {
      let subnet: SubnetRec | undefined;
      if (req.subnet_id !== undefined) {
        subnet = netSubnets.find((s) => s.id === req.subnet_id);
        if (!subnet) {
          const other = this.state.subnets.get(req.subnet_id);
          if (!other) throw notFound.subnet(req.subnet_id);
          throw invalidInput(`Failed to create port on network ${other.network_id}, because fixed_ips included invalid subnet ${req.subnet_id}`);
        }
      }
      if (req.ip_address !== undefined) {
        const ip = parseIp(req.ip_address)!;
        if (subnet) {
          if (!isValidHostIp(subnetCidr(subnet), ip, routerPort)) throw bad.invalidIpForSubnet(req.ip_address);
        } else {
          subnet = netSubnets.find((s) => isValidHostIp(subnetCidr(s), ip, routerPort));
          if (!subnet) throw bad.invalidIpForNetwork(req.ip_address);
        }
        const text = canonicalIp(req.ip_address)!;
        if (isAutoAddressSubnet(subnet) && !ROUTER_INTERFACE_OWNERS.includes(port.device_owner)) {
          const expected = eui64Address(subnetCidr(subnet), port.mac_address);
          if (text !== expected) throw bad.allocationOnAutoAddressSubnet(text, subnet.id);
        }
        if (this.state.usedIps(subnet.id).has(text)) throw conflict.ipAlreadyAllocated(text, subnet.id);
        this.reserve(port.id, subnet.id, text);
        out.push({ subnet_id: subnet.id, ip_address: text });
        continue;
      }
      if (!subnet) throw invalidInput('IP allocation requires subnet_id or ip_address');
      let ip: string | undefined;
      if (isAutoAddressSubnet(subnet) && !ROUTER_INTERFACE_OWNERS.includes(port.device_owner)) {
        ip = eui64Address(subnetCidr(subnet), port.mac_address);
        if (this.state.usedIps(subnet.id).has(ip)) throw conflict.ipAlreadyAllocated(ip, subnet.id);
      } else {
        ip = this.nextFree(subnet);
        if (!ip) throw conflict.ipGenerationFailureSubnet(subnet.id);
      }
      this.reserve(port.id, subnet.id, ip);
      out.push({ subnet_id: subnet.id, ip_address: ip });
    }
    return out;
  }

  private securityGroupsFor(ctx: Ctx, port: PortRec, requested: string[] | undefined): string[] {
    if (!port.port_security_enabled) {
      if (requested?.length) throw bad.portSecurityRequiredForSg();
      return [];
    }
    if (requested === undefined) {
      if (port.device_owner.startsWith('network:')) return [];
      return [this.n.securityGroups.ensureDefault(port.project_id).id];
    }
    for (const id of requested) {
      const sg = this.state.securityGroups.get(id);
      if (!sg || !(ctx.isAdmin || sg.project_id === ctx.projectId || sg.project_id === port.project_id)) {
        throw notFound.securityGroup(id);
      }
    }
    return [...requested];
  }

  private addressPairs(port: PortRec, pairs: AddressPair[]): AddressPair[] {
    if (pairs.length && !port.port_security_enabled) throw conflict.addressPairAndPortSecurityRequired();
    return pairs.map((p) => {
      const ip = canonicalIp(p.ip_address) ?? p.ip_address;
      const cidr = parseCidr(p.ip_address);
      return {
        ip_address: cidr && !canonicalIp(p.ip_address) ? p.ip_address : ip,
        mac_address: p.mac_address ? canonicalMac(p.mac_address)! : port.mac_address,
      };
    });
  }
}
