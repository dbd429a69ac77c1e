// Subnets: CIDR validation and normalisation, gateway and allocation pool rules, DNS servers, host
// routes, IPv6 RA/address modes, and the DHCP port a DHCP agent keeps on every DHCP-enabled network.
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
import { bad, badResourceRequest, conflict, httpNotFound, invalidInput, policyNotAuthorized } from './errors.js';
import {
  cidrNetworkText,
  cidrsOverlap,
  defaultPools,
  firstHost,
  formatIp,
  isInvalidGateway,
  parseCidr,
  parseIp,
  rangeText,
  rangesOverlap,
  type Cidr,
  type IpRange,
} from './ipam.js';
import { newId, type NetworkRec, type Pool, type Route, type SubnetRec } from './state.js';
import { SimServiceError } from '../types.js';

const IPV6_MODES = ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'];
const MAX_DNS_NAMESERVERS = 5;
const MAX_HOST_ROUTES = 20;

export const SUBNET_ATTRS: AttrMap = {
  name: nameAttr,
  description: descriptionAttr,
  ...projectAttrs,
  network_id: { required: true, validate: validate.uuid },
  ip_version: { required: true, convert: convert.int, validate: validate.values([4, 6]) },
  cidr: { validate: validate.subnetCidr },
  prefixlen: { convert: convert.int },
  subnetpool_id: { validate: validate.uuidOrNone },
  use_default_subnetpool: { convert: convert.bool },
  gateway_ip: { put: true, validate: validate.ipOrNone },
  allocation_pools: { put: true, convert: convert.noneToEmptyList, validate: validate.pools },
  enable_dhcp: { put: true, default: true, convert: convert.bool },
  dns_nameservers: { put: true, default: [], convert: convert.noneToEmptyList, validate: validate.nameservers },
  host_routes: { put: true, default: [], convert: convert.noneToEmptyList, validate: validate.hostRoutes },
  ipv6_ra_mode: { put: true, default: null, validate: validate.valuesOrNone(IPV6_MODES) },
  ipv6_address_mode: { put: true, default: null, validate: validate.valuesOrNone(IPV6_MODES) },
  segment_id: { default: null, validate: validate.uuidOrNone, policy: 'admin' },
  service_types: { put: true, default: [], convert: convert.noneToEmptyList, validate: validate.stringList(255), policy: 'admin' },
  tags: tagsAttr,
};

export function isAutoAddressSubnet(s: SubnetRec): boolean {
  return s.ip_version === 6 && (s.ipv6_address_mode === 'slaac' || s.ipv6_address_mode === 'dhcpv6-stateless');
}

export function subnetCidr(s: SubnetRec): Cidr {
  return parseCidr(s.cidr)!;
}

function poolsToRanges(version: 4 | 6, pools: Pool[]): IpRange[] {
  return pools.filter((p) => parseIp(p.start)?.version === version).map((p) => ({ start: parseIp(p.start)!.value, end: parseIp(p.end)!.value }));
}

export class SubnetService {
  constructor(private readonly n: Neutron) {}

  private get state() {
    return this.n.state;
  }

  create(ctx: Ctx, body: Body): SubnetRec {
    const { values, explicit } = parseCreate(SUBNET_ATTRS, body);
    const net = this.n.network(ctx, values.network_id as string);
    if (!ctx.isAdmin && net.project_id !== ctx.projectId) {
      // Upstream hides non-shared networks of others (external ones included) behind a plain 404.
      if (!net.shared) throw httpNotFound();
      throw policyNotAuthorized(['create_subnet']);
    }
    enforceAttrPolicy('create_subnet', SUBNET_ATTRS, explicit, values, ctx);
    const projectId = ownerOf(values, ctx);

    if (values.subnetpool_id !== undefined && values.subnetpool_id !== null) {
      throw new SimServiceError(404, `Subnet pool ${values.subnetpool_id as string} could not be found.`, 'SubnetPoolNotFound');
    }
    if (values.segment_id !== null) {
      throw new SimServiceError(404, `Segment ${values.segment_id as string} could not be found.`, 'SegmentNotFound');
    }
    const ipVersion = values.ip_version as 4 | 6;
    if (values.cidr === undefined) {
      if (values.use_default_subnetpool) throw badResourceRequest('subnets', `No default subnetpool found for IPv${ipVersion}`);
      throw badResourceRequest('subnets', 'a subnetpool must be specified in the absence of a cidr');
    }
    if (values.prefixlen !== undefined) {
      throw badResourceRequest('subnets', 'cidr and prefixlen must not be supplied together');
    }
    const cidr = parseCidr(values.cidr as string, true)!;
    if (cidr.version !== ipVersion) {
      throw invalidInput(`cidr '${values.cidr as string}' does not match the ip_version '${ipVersion}'`);
    }
    if (cidr.prefix === 0) throw invalidInput('0 is not allowed as CIDR prefix length');
    const cidrText = cidrNetworkText(cidr);

    const gatewayGiven = values.gateway_ip !== undefined;
    let gateway: string | null;
    if (!gatewayGiven) {
      const first = firstHost(cidr);
      gateway = first === undefined ? null : formatIp(ipVersion, first);
    } else {
      gateway = values.gateway_ip === null ? null : (values.gateway_ip as string);
    }
    const spec = {
      ip_version: ipVersion,
      cidr,
      enable_dhcp: values.enable_dhcp as boolean,
      gateway,
      dns_nameservers: values.dns_nameservers as string[],
      host_routes: values.host_routes as Route[],
      ipv6_ra_mode: values.ipv6_ra_mode as string | null,
      ipv6_address_mode: values.ipv6_address_mode as string | null,
    };
    this.validateSpec(spec, undefined, gatewayGiven);

    for (const other of this.state.subnetsOf(net.id)) {
      if (cidrsOverlap(subnetCidr(other), cidr)) {
        throw invalidInput(`Requested subnet with cidr: ${cidrText} for network: ${net.id} overlaps with another subnet`);
      }
    }

    const gwValue = gateway === null ? null : parseIp(gateway)!.value;
    let ranges: IpRange[];
    if (values.allocation_pools !== undefined && (values.allocation_pools as Pool[]).length > 0) {
      ranges = this.checkPools(cidr, values.allocation_pools as Pool[]);
      if (gateway !== null) this.checkGatewayOutOfPools(gateway, ipVersion, ranges);
    } else {
      ranges = defaultPools(cidr, gwValue !== null && gwValue >= cidr.first && gwValue <= cidr.last ? gwValue : null);
    }

    const rec: SubnetRec = this.state.stamp({
      id: newId(),
      project_id: projectId,
      name: values.name as string,
      description: values.description as string,
      network_id: net.id,
      ip_version: ipVersion,
      cidr: cidrText,
      gateway_ip: gateway === null ? null : formatIp(ipVersion, parseIp(gateway)!.value),
      allocation_pools: ranges.map((r) => ({ start: formatIp(ipVersion, r.start), end: formatIp(ipVersion, r.end) })),
      enable_dhcp: spec.enable_dhcp,
      dns_nameservers: spec.dns_nameservers,
      host_routes: spec.host_routes.map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
      ipv6_ra_mode: spec.ipv6_ra_mode,
      ipv6_address_mode: spec.ipv6_address_mode,
      service_types: values.service_types as string[],
      segment_id: null,
      tags: values.tags as string[],
      created_at: '',
      updated_at: '',
      revision_number: 0,
    });
    this.state.subnets.set(rec.id, rec);
    this.state.touch(net);
    this.afterCreate(net, rec);
    return rec;
  }

  update(ctx: Ctx, id: string, body: Body): SubnetRec {
    const subnet = this.n.subnet(ctx, id);
    const net = this.state.networks.get(subnet.network_id)!;
    if (!ctx.isAdmin && subnet.project_id !== ctx.projectId && !ownsNetwork(ctx, net)) {
      throw policyNotAuthorized(['update_subnet']);
    }
    const { values, explicit } = parseUpdate(SUBNET_ATTRS, body);
    enforceAttrPolicy('update_subnet', SUBNET_ATTRS, explicit, values, ctx);
    const cidr = subnetCidr(subnet);
    const spec = {
      ip_version: subnet.ip_version,
      cidr,
      enable_dhcp: 'enable_dhcp' in values ? (values.enable_dhcp as boolean) : subnet.enable_dhcp,
      gateway: 'gateway_ip' in values ? (values.gateway_ip as string | null) : subnet.gateway_ip,
      dns_nameservers: (values.dns_nameservers as string[] | undefined) ?? subnet.dns_nameservers,
      host_routes: (values.host_routes as Route[] | undefined) ?? subnet.host_routes,
      ipv6_ra_mode: 'ipv6_ra_mode' in values ? (values.ipv6_ra_mode as string | null) : subnet.ipv6_ra_mode,
      ipv6_address_mode: 'ipv6_address_mode' in values ? (values.ipv6_address_mode as string | null) : subnet.ipv6_address_mode,
    };
    if ('enable_dhcp' in values && !values.enable_dhcp && (subnet.ipv6_ra_mode || subnet.ipv6_address_mode)) {
      throw invalidInput('Cannot disable enable_dhcp with ipv6 attributes set');
    }
    this.validateSpec(spec, subnet, 'gateway_ip' in values);

    const newGateway = spec.gateway === null ? null : formatIp(subnet.ip_version, parseIp(spec.gateway)!.value);
    if ('gateway_ip' in values && newGateway !== subnet.gateway_ip && subnet.gateway_ip) {
      const holder = this.state.usedIps(subnet.id).get(subnet.gateway_ip);
      const port = holder ? this.state.ports.get(holder) : undefined;
      if (port?.device_owner.startsWith('network:router')) throw conflict.gatewayIpInUse(subnet.gateway_ip, port.id);
    }
    let ranges = poolsToRanges(subnet.ip_version, subnet.allocation_pools);
    if ('allocation_pools' in values) {
      const pools = values.allocation_pools as Pool[];
      ranges = pools.length ? this.checkPools(cidr, pools) : defaultPools(cidr, newGateway ? parseIp(newGateway)!.value : null);
    }
    if (newGateway !== null && (newGateway !== subnet.gateway_ip || 'allocation_pools' in values)) {
      this.checkGatewayOutOfPools(newGateway, subnet.ip_version, ranges);
    }

    const dhcpChanged = spec.enable_dhcp !== subnet.enable_dhcp;
    if ('name' in values) subnet.name = values.name as string;
    if ('description' in values) subnet.description = values.description as string;
    subnet.gateway_ip = newGateway;
    subnet.allocation_pools = ranges.map((r) => ({
      start: formatIp(subnet.ip_version, r.start),
      end: formatIp(subnet.ip_version, r.end),
    }));
    subnet.enable_dhcp = spec.enable_dhcp;
    subnet.dns_nameservers = spec.dns_nameservers;
    subnet.host_routes = spec.host_routes.map((r) => ({ destination: r.destination, nexthop: r.nexthop }));
    subnet.ipv6_ra_mode = spec.ipv6_ra_mode;
    subnet.ipv6_address_mode = spec.ipv6_address_mode;
    if ('service_types' in values) subnet.service_types = values.service_types as string[];
    if (explicit.length) this.state.touch(subnet);
    if (dhcpChanged) this.syncDhcpPort(net);
    return subnet;
  }

  delete(ctx: Ctx, id: string): void {
    const subnet = this.n.subnet(ctx, id);
    const net = this.state.networks.get(subnet.network_id)!;
    if (!ctx.isAdmin && subnet.project_id !== ctx.projectId && !ownsNetwork(ctx, net)) {
      throw policyNotAuthorized(['delete_subnet']);
    }
    const auto = isAutoAddressSubnet(subnet);
    for (const port of this.state.portsOf(net.id)) {
      if (!port.fixed_ips.some((f) => f.subnet_id === id)) continue;
      if (port.device_owner === 'network:dhcp') continue;
      if (auto && !port.device_owner.startsWith('network:router')) continue;
      throw conflict.subnetInUse(id);
    }
    // Automatic addresses (SLAAC) and the DHCP port's address go away with the subnet.
    for (const port of this.state.portsOf(net.id)) {
      if (!port.fixed_ips.some((f) => f.subnet_id === id)) continue;
      port.fixed_ips = port.fixed_ips.filter((f) => f.subnet_id !== id);
      this.state.touch(port);
    }
    this.state.allocations.delete(id);
    this.state.subnets.delete(id);
    this.state.touch(net);
    this.syncDhcpPort(net);
  }

  /** Checks of a subnet spec shared by create and update (upstream's _validate_subnet). */
  private validateSpec(
    s: {
      ip_version: 4 | 6;
      cidr: Cidr;
      enable_dhcp: boolean;
      gateway: string | null;
      dns_nameservers: string[];
      host_routes: Route[];
      ipv6_ra_mode: string | null;
      ipv6_address_mode: string | null;
    },
    current: SubnetRec | undefined,
    gatewayGiven: boolean,
  ): void {
    const v = s.ip_version;
    if (s.enable_dhcp && !(current?.enable_dhcp ?? false)) {
      if ((v === 4 && s.cidr.prefix > 30) || (v === 6 && s.cidr.prefix > 126)) {
        throw invalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled');
      }
      if (v === 4 && s.cidr.first === 0n) {
        throw invalidInput("First IP '0.0.0.0' of network is not supported if enable_dhcp is True.");
      }
    }
    if (s.gateway !== null && gatewayGiven) {
      const gw = parseIp(s.gateway)!;
      if (gw.version !== v) throw invalidInput(`gateway_ip '${s.gateway}' does not match the ip_version '${v}'`);
      if (isInvalidGateway(s.cidr, gw)) throw invalidInput('Gateway is not valid on subnet');
    }
    if (s.dns_nameservers.length > MAX_DNS_NAMESERVERS) {
      throw new SimServiceError(
        400,
        `Unable to complete operation for ${current?.id ?? 'new subnet'}. The number of DNS nameservers exceeds the limit ${MAX_DNS_NAMESERVERS}.`,
        'DNSNameServersExhausted',
      );
    }
    for (const dns of s.dns_nameservers) {
      if (parseIp(dns)!.version !== v) throw invalidInput(`dns_nameserver '${dns}' does not match the ip_version '${v}'`);
    }
    if (s.host_routes.length > MAX_HOST_ROUTES) {
      throw new SimServiceError(
        400,
        `Unable to complete operation for ${current?.id ?? 'new subnet'}. The number of host routes exceeds the limit ${MAX_HOST_ROUTES}.`,
        'HostRoutesExhausted',
      );
    }
    for (const rt of s.host_routes) {
      const dest = parseCidr(rt.destination)!;
      if (dest.version !== v) throw invalidInput(`destination '${rt.destination}' does not match the ip_version '${v}'`);
      if (parseIp(rt.nexthop)!.version !== v) throw invalidInput(`nexthop '${rt.nexthop}' does not match the ip_version '${v}'`);
    }
    if (v === 4) {
      if (s.ipv6_ra_mode !== null) throw invalidInput('ipv6_ra_mode is not valid when ip_version is 4');
      if (s.ipv6_address_mode !== null) throw invalidInput('ipv6_address_mode is not valid when ip_version is 4');
      return;
    }
    if (s.ipv6_ra_mode !== null && s.ipv6_address_mode !== null && s.ipv6_ra_mode !== s.ipv6_address_mode) {
      throw invalidInput(
        `ipv6_ra_mode set to '${s.ipv6_ra_mode}' with ipv6_address_mode set to '${s.ipv6_address_mode}' is not valid. If both attributes are set, they must be the same value`,
      );
    }
    if ((s.ipv6_ra_mode !== null || s.ipv6_address_mode !== null) && !s.enable_dhcp) {
      throw invalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
    }
    if ((s.ipv6_address_mode === 'slaac' || s.ipv6_address_mode === 'dhcpv6-stateless') && s.cidr.prefix !== 64) {
      throw invalidInput(`Invalid CIDR ${cidrNetworkText(s.cidr)} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
    }
  }

  /** Allocation pools given by the user: well-formed, inside the CIDR, not overlapping. */
  private checkPools(cidr: Cidr, pools: Pool[]): IpRange[] {
    const ranges: IpRange[] = [];
    const usableFirst = cidr.first + 1n;
    const usableLast = cidr.version === 4 ? cidr.last - 1n : cidr.last;
    for (const pool of pools) {
      const start = parseIp(pool.start)!;
      const end = parseIp(pool.end)!;
      if (start.version !== end.version || start.value > end.value) {
        throw bad.invalidAllocationPool(`{'start': '${pool.start}', 'end': '${pool.end}'}`);
      }
      const range = { start: start.value, end: end.value };
      if (start.version !== cidr.version) throw bad.invalidAllocationPool(rangeText(start.version, range));
      if (range.start < usableFirst || range.end > usableLast) {
        throw bad.outOfBoundsAllocationPool(rangeText(cidr.version, range), cidrNetworkText(cidr));
      }
      ranges.push(range);
    }
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        if (rangesOverlap(ranges[i], ranges[j])) {
          throw bad.overlappingAllocationPools(rangeText(cidr.version, ranges[i]), rangeText(cidr.version, ranges[j]), cidrNetworkText(cidr));
        }
      }
    }
    return ranges;
  }

  private checkGatewayOutOfPools(gateway: string, version: 4 | 6, ranges: IpRange[]): void {
    const gw = parseIp(gateway)!.value;
    for (const r of ranges) {
      if (gw >= r.start && gw <= r.end) throw conflict.gatewayConflictWithPools(gateway, rangeText(version, r));
    }
  }

  /** What upstream does after a subnet is stored: DHCP port, SLAAC addresses, external gateways. */
  private afterCreate(net: NetworkRec, subnet: SubnetRec): void {
    if (subnet.enable_dhcp) this.syncDhcpPort(net);
    if (isAutoAddressSubnet(subnet)) {
      for (const port of this.state.portsOf(net.id)) {
        if (port.device_owner.startsWith('network:router') || port.device_owner === 'network:dhcp') continue;
        if (port.device_owner === 'network:floatingip') continue;
        if (port.fixed_ips.some((f) => f.subnet_id === subnet.id)) continue;
        this.n.ports.addAutoAddress(port, subnet);
      }
    }
    if (net.external) {
      for (const port of this.state.portsOf(net.id)) {
        if (port.device_owner !== 'network:router_gateway') continue;
        const hasVersion = port.fixed_ips.some((f) => this.state.subnets.get(f.subnet_id)?.ip_version === subnet.ip_version);
        if (!hasVersion) this.n.ports.tryAddIp(port, subnet);
      }
    }
  }

  /** Keeps one DHCP port per network with an address on every DHCP-enabled subnet (the DHCP agent's job). */
  syncDhcpPort(net: NetworkRec): void {
    const dhcpSubnets = this.state.subnetsOf(net.id).filter((s) => s.enable_dhcp);
    let port = this.state.portsOf(net.id).find((p) => p.device_owner === 'network:dhcp');
    if (!dhcpSubnets.length) {
      if (port) this.n.ports.remove(port);
      return;
    }
    if (!port) port = this.n.ports.createDhcpPort(net);
    else if (port.device_id === 'reserved_dhcp_port' || port.binding_host_id === '') this.n.ports.adoptDhcpPort(port);
    const wanted = new Set(dhcpSubnets.map((s) => s.id));
    const stale = port.fixed_ips.filter((f) => !wanted.has(f.subnet_id));
    for (const f of stale) this.state.usedIps(f.subnet_id).delete(f.ip_address);
    port.fixed_ips = port.fixed_ips.filter((f) => wanted.has(f.subnet_id));
    for (const s of dhcpSubnets) {
      if (!port.fixed_ips.some((f) => f.subnet_id === s.id)) this.n.ports.tryAddIp(port, s);
    }
    if (!port.fixed_ips.length) this.n.ports.remove(port);
  }
}
