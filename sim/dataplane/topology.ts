// From the pods' Neutron state to the Linux networking that realises it (pure):
// - fabric: one bridge per shared L2 segment ("vlan:<physnet>:<id>", "flat:<physnet>"), the
//   provider switch joining the pods; a network of another type stays inside its pod;
// - a pod: one bridge per network, linked to the segment's switch;
// - a VM: one namespace per bound compute port, its NIC with the port's MAC and addresses, a default
//   route via the subnet's gateway, the port's security groups;
// - a router: one namespace, an interface per router port (qr-/qg-), floating IPs on the gateway,
//   the default route through the gateway subnet's gateway, the extra routes, NAT;
// - the outside host: on every external network whose gateway address no port of the cloud holds,
//   it holds that address (it is the upstream router), plus a client address behind it.
import {
  cidrContains,
  cidrNetworkText,
  parseCidr,
  parseIp,
  ROUTER_INTERFACE_OWNERS,
  type NetworkRec,
  type NeutronState,
  type PortRec,
  type RouterRec,
  type SubnetRec,
} from '../neutron/index.js';
import { portFirewall } from './firewall.js';
import { Names } from './names.js';
import { routerRuleset } from './routerNat.js';
import type { NamespaceSpec, OutsideView, RouterView, Topology, TopologyView, VethSpec, VmView } from './spec.js';

export interface PodState {
  /** Position of the pod in the cluster (short interface names in the fabric). */
  index: number;
  region: string;
  state: NeutronState;
}

export interface TopologyOptions {
  names: Names;
  /** The outside host's client address (default 203.0.113.1, TEST-NET-3). */
  clientAddress?: string;
}

export const DEFAULT_CLIENT_ADDRESS = '203.0.113.1';
const ROUTER_GATEWAY_OWNER = 'network:router_gateway';

const COMMON_SYSCTLS: [string, string][] = [
  ['net/ipv6/conf/all/disable_ipv6', '1'],
  ['net/ipv6/conf/default/disable_ipv6', '1'],
  ['net/ipv4/conf/all/rp_filter', '0'],
  ['net/ipv4/conf/default/rp_filter', '0'],
];
const HOST_SYSCTLS: [string, string][] = [
  ...COMMON_SYSCTLS,
  // Announce addresses when a NIC comes up, answer ARP only for the asking interface's addresses.
  ['net/ipv4/conf/all/arp_notify', '1'],
  ['net/ipv4/conf/default/arp_notify', '1'],
  ['net/ipv4/conf/all/arp_ignore', '1'],
  ['net/ipv4/conf/default/arp_ignore', '1'],
];
const ROUTING_SYSCTLS: [string, string][] = [
  ...HOST_SYSCTLS,
  ['net/ipv4/ip_forward', '1'],
  ['net/ipv4/conf/all/send_redirects', '0'],
  ['net/ipv4/conf/default/send_redirects', '0'],
];

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The shared segment a network is on, or undefined for a network that lives in its pod only. */
export function segmentOf(net: NetworkRec): string | undefined {
  if (net.network_type === 'vlan' && net.physical_network && net.segmentation_id !== null) return `vlan:${net.physical_network}:${net.segmentation_id}`;
  if (net.network_type === 'flat' && net.physical_network) return `flat:${net.physical_network}`;
  return undefined;
}

export function isVmPort(port: PortRec): boolean {
  return port.device_owner.startsWith('compute:') && port.binding_host_id !== '';
}

function isRouterPort(port: PortRec): boolean {
  return ROUTER_INTERFACE_OWNERS.includes(port.device_owner) || port.device_owner === ROUTER_GATEWAY_OWNER;
}

interface Addr {
  ip: string;
  subnet: SubnetRec;
  /** "ip/len" */
  cidr: string;
}

/** The IPv4 addresses of a port with their subnets. */
function ipv4Of(state: NeutronState, port: PortRec): Addr[] {
  const out: Addr[] = [];
  for (const f of port.fixed_ips) {
    const subnet = state.subnets.get(f.subnet_id);
    const c = subnet ? parseCidr(subnet.cidr) : undefined;
    if (!subnet || !c || c.version !== 4 || parseIp(f.ip_address)?.version !== 4) continue;
    out.push({ ip: f.ip_address, subnet, cidr: `${f.ip_address}/${c.prefix}` });
  }
  return out;
}

function inSubnet(subnet: SubnetRec, ip: string): boolean {
  const c = parseCidr(subnet.cidr);
  const v = parseIp(ip);
  return !!c && !!v && c.version === v.version && cidrContains(c, v);
}

class Builder {
  readonly topology: Topology;
  private readonly names: Names;
  private readonly client: string;
  private readonly outside: OutsideView;
  /** L2 domain key → addresses some VM or router port answers for there. */
  private readonly answered = new Map<string, Set<string>>();
  private readonly segmentsUsed = new Set<string>();

  constructor(opts: TopologyOptions) {
    this.names = opts.names;
    this.client = opts.clientAddress ?? DEFAULT_CLIENT_ADDRESS;
    this.outside = { netns: this.names.outside, clientAddress: this.client, interfaces: [] };
    this.topology = {
      namespaces: [],
      bridges: [],
      veths: [],
      addresses: [],
      routes: [],
      notes: [],
      view: { fabric: this.names.fabric, switches: [], outside: this.outside, pods: [], vms: [], routers: [] },
    };
  }

  private ns(name: string, role: NamespaceSpec['role'], sysctls: [string, string][], nft = ''): void {
    this.topology.namespaces.push({ name, role, sysctls, nft });
  }

  private domainOf(pod: PodState, net: NetworkRec): string {
    return segmentOf(net) ?? `${pod.region}/${net.id}`;
  }

  build(pods: PodState[]): Topology {
    this.ns(this.names.fabric, 'fabric', COMMON_SYSCTLS);
    for (const pod of pods) this.collectAnswers(pod);
    for (const pod of pods) this.pod(pod);
    this.outsideHost(pods);
    for (const segment of [...this.segmentsUsed].sort()) {
      this.topology.bridges.push({ netns: this.names.fabric, name: Names.segmentSwitch(segment), up: true });
      this.topology.view.switches.push({ dev: Names.segmentSwitch(segment), segment });
    }
    this.topology.view.vms.sort((a, b) => a.region.localeCompare(b.region) || a.portId.localeCompare(b.portId));
    this.topology.view.routers.sort((a, b) => a.region.localeCompare(b.region) || a.routerId.localeCompare(b.routerId));
    return this.topology;
  }

  private collectAnswers(pod: PodState): void {
    const { state } = pod;
    for (const port of state.ports.values()) {
      const router = isRouterPort(port) ? state.routers.get(port.device_id) : undefined;
      if (!isVmPort(port) && !router) continue;
      const net = state.networks.get(port.network_id);
      if (!net) continue;
      const key = this.domainOf(pod, net);
      const set = this.answered.get(key) ?? new Set<string>();
      for (const a of ipv4Of(state, port)) set.add(a.ip);
      this.answered.set(key, set);
    }
  }

  private pod(pod: PodState): void {
    const { state, region } = pod;
    const podNs = this.names.pod(region);
    this.ns(podNs, 'pod', COMMON_SYSCTLS);
    const networks: TopologyView['pods'][number]['networks'] = [];
    this.topology.view.pods.push({ region, netns: podNs, networks });
    for (const net of [...state.networks.values()].sort(byId)) {
      const bridge = Names.networkBridge(net.id);
      this.topology.bridges.push({ netns: podNs, name: bridge, up: net.admin_state_up });
      const segment = segmentOf(net);
      networks.push({ networkId: net.id, name: net.name, bridge, segment: segment ?? null });
      if (segment) {
        this.segmentsUsed.add(segment);
        this.topology.veths.push({
          a: { netns: podNs, name: Names.uplink(net.id), master: bridge, up: true },
          b: { netns: this.names.fabric, name: Names.switchPort(pod.index, net.id), master: Names.segmentSwitch(segment), up: true },
        });
      }
    }
    for (const port of [...state.ports.values()].sort(byId)) if (isVmPort(port)) this.vm(pod, podNs, port);
    for (const router of [...state.routers.values()].sort(byId)) this.router(pod, podNs, router);
  }

  /** The pod-side end of a port's veth, on its network's bridge; undefined when the network is gone. */
  private tap(pod: PodState, podNs: string, port: PortRec): VethSpec['a'] | undefined {
    if (!pod.state.networks.has(port.network_id)) return undefined;
    return { netns: podNs, name: Names.tap(port.id), master: Names.networkBridge(port.network_id), up: port.admin_state_up };
  }

  private vm(pod: PodState, podNs: string, port: PortRec): void {
    const { state, region } = pod;
    const tap = this.tap(pod, podNs, port);
    if (!tap) return;
    const netns = this.names.vm(port.id);
    this.ns(netns, 'vm', HOST_SYSCTLS, portFirewall(state, port));
    const nic = Names.vmNic;
    this.topology.veths.push({ a: tap, b: { netns, name: nic, mac: port.mac_address, up: port.admin_state_up } });
    const addrs = ipv4Of(state, port);
    for (const a of addrs) this.topology.addresses.push({ netns, dev: nic, cidr: a.cidr });
    const withGateway = addrs.find((a) => a.subnet.gateway_ip && a.subnet.gateway_ip !== a.ip && inSubnet(a.subnet, a.subnet.gateway_ip));
    const gateway = withGateway?.subnet.gateway_ip ?? null;
    if (gateway) this.topology.routes.push({ netns, dst: 'default', via: gateway, dev: nic });
    // What DHCP would hand out: the subnets' host routes.
    for (const a of addrs) {
      for (const hr of a.subnet.host_routes) {
        const dst = parseCidr(hr.destination);
        if (dst?.version !== 4 || !inSubnet(a.subnet, hr.nexthop)) continue;
        const text = cidrNetworkText(dst);
        if (text === '0.0.0.0/0') continue;
        this.topology.routes.push({ netns, dst: text, via: hr.nexthop, dev: nic });
      }
    }
    const view: VmView = {
      region,
      netns,
      portId: port.id,
      portName: port.name,
      deviceId: port.device_id,
      networkId: port.network_id,
      projectId: port.project_id,
      mac: port.mac_address,
      ips: addrs.map((a) => a.ip),
      gateway,
      securityGroups: [...port.security_groups],
      portSecurity: port.port_security_enabled,
    };
    this.topology.view.vms.push(view);
  }

  private router(pod: PodState, podNs: string, router: RouterRec): void {
    const { state, region } = pod;
    if (!router.admin_state_up) {
      this.topology.notes.push(`${region} router ${router.id} is administratively down: not realised`);
      return;
    }
    const netns = this.names.router(router.id);
    const ports = [...state.ports.values()].filter((p) => p.device_id === router.id && isRouterPort(p)).sort(byId);
    const view: RouterView = {
      region,
      netns,
      routerId: router.id,
      name: router.name,
      projectId: router.project_id,
      interfaces: [],
      routes: [],
      floatingIps: [],
      snat: router.enable_snat,
    };
    const connected: SubnetRec[] = [];
    const own = new Set<string>();
    let gateway: { dev: string; address: string; subnet: SubnetRec } | undefined;
    for (const port of ports) {
      const tap = this.tap(pod, podNs, port);
      if (!tap) continue;
      const isGateway = port.device_owner === ROUTER_GATEWAY_OWNER;
      const dev = Names.routerPort(port.id, isGateway);
      this.topology.veths.push({ a: tap, b: { netns, name: dev, mac: port.mac_address, up: port.admin_state_up } });
      const addrs = ipv4Of(state, port);
      for (const a of addrs) {
        this.topology.addresses.push({ netns, dev, cidr: a.cidr });
        connected.push(a.subnet);
        own.add(a.ip);
      }
      if (isGateway && addrs.length && !gateway) gateway = { dev, address: addrs[0].ip, subnet: addrs[0].subnet };
      view.interfaces.push({ dev, portId: port.id, networkId: port.network_id, addresses: addrs.map((a) => a.cidr), gateway: isGateway });
    }

    if (gateway) {
      for (const fip of [...state.floatingips.values()].sort(byId)) {
        if (fip.router_id !== router.id || !fip.port_id || !fip.fixed_ip_address) continue;
        if (parseIp(fip.floating_ip_address)?.version !== 4) continue;
        if (fip.floating_network_id !== router.gw_network_id) {
          this.topology.notes.push(`${region} floating IP ${fip.floating_ip_address}: router ${router.id} has no gateway on its network`);
          continue;
        }
        this.topology.addresses.push({ netns, dev: gateway.dev, cidr: `${fip.floating_ip_address}/32` });
        view.floatingIps.push({ address: fip.floating_ip_address, fixedIp: fip.fixed_ip_address });
      }
      const gw = gateway.subnet.gateway_ip;
      if (gw && !own.has(gw) && inSubnet(gateway.subnet, gw)) {
        this.topology.routes.push({ netns, dst: 'default', via: gw, dev: gateway.dev });
        view.routes.push(`default via ${gw}`);
      }
    }

    for (const route of router.routes) {
      const dst = parseCidr(route.destination);
      const hop = parseIp(route.nexthop);
      if (dst?.version !== 4 || !hop || hop.version !== 4) continue;
      const text = `${cidrNetworkText(dst)} via ${route.nexthop}`;
      if (own.has(route.nexthop) || !connected.some((s) => inSubnet(s, route.nexthop))) {
        this.topology.notes.push(`${region} router ${router.id}: extra route ${text}: the next hop is not on a connected subnet`);
        continue;
      }
      this.topology.routes.push({ netns, dst: cidrNetworkText(dst), via: route.nexthop });
      view.routes.push(text);
    }

    this.ns(netns, 'router', ROUTING_SYSCTLS, routerRuleset({ gateway, snat: router.enable_snat, floatingIps: view.floatingIps }));
    this.topology.view.routers.push(view);
  }

  /** The outside host on every external network whose gateway address no port in the cloud holds. */
  private outsideHost(pods: PodState[]): void {
    const netns = this.names.outside;
    this.ns(netns, 'outside', ROUTING_SYSCTLS);
    this.topology.addresses.push({ netns, dev: 'lo', cidr: `${this.client}/32` });
    const byDomain = new Map<string, { dev: string; addresses: Set<string>; attach: () => void }>();
    for (const pod of pods) {
      const { state } = pod;
      for (const net of [...state.networks.values()].sort(byId)) {
        if (!net.external) continue;
        const domain = this.domainOf(pod, net);
        const answered = this.answered.get(domain) ?? new Set<string>();
        for (const subnet of state.subnetsOf(net.id)) {
          const c = parseCidr(subnet.cidr);
          const gw = subnet.gateway_ip;
          if (c?.version !== 4 || !gw || answered.has(gw)) continue;
          let entry = byDomain.get(domain);
          if (!entry) {
            const segment = segmentOf(net);
            const podNs = this.names.pod(pod.region);
            const dev = segment ? Names.outsideOnSegment(segment) : Names.outsideOnNetwork(net.id);
            const attach = segment
              ? () => {
                  this.segmentsUsed.add(segment);
                  this.topology.veths.push({
                    a: { netns, name: dev, up: true },
                    b: { netns: this.names.fabric, name: Names.outsideSwitchPort(segment), master: Names.segmentSwitch(segment), up: true },
                  });
                }
              : () => {
                  this.topology.veths.push({
                    a: { netns, name: dev, up: true },
                    b: { netns: podNs, name: Names.outsideIntoPod(net.id), master: Names.networkBridge(net.id), up: true },
                  });
                };
            entry = { dev, addresses: new Set(), attach };
            byDomain.set(domain, entry);
          }
          entry.addresses.add(`${gw}/${c.prefix}`);
        }
      }
    }
    for (const [domain, entry] of [...byDomain.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      entry.attach();
      const addresses = [...entry.addresses].sort();
      for (const cidr of addresses) this.topology.addresses.push({ netns, dev: entry.dev, cidr });
      this.outside.interfaces.push({ dev: entry.dev, segment: domain, addresses });
    }
  }
}

/** The Linux networking that realises the pods' current Neutron state. */
export function buildTopology(pods: PodState[], opts: TopologyOptions): Topology {
  const topology = new Builder(opts).build(pods);
  checkUniqueNames(topology);
  return topology;
}

/** Two objects may not share a name in one namespace (a hash collision would be the cause). */
function checkUniqueNames(t: Topology): void {
  const seen = new Set<string>();
  const names = [
    ...t.namespaces.map((n) => `netns ${n.name}`),
    ...t.bridges.map((b) => `${b.netns} ${b.name}`),
    ...t.veths.flatMap((v) => [`${v.a.netns} ${v.a.name}`, `${v.b.netns} ${v.b.name}`]),
  ];
  for (const n of names) {
    if (seen.has(n)) throw new Error(`dataplane: two objects named ${n}`);
    seen.add(n);
  }
}
