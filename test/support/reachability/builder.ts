// Hand-built snapshots for tests: pods with networks, subnets, VM ports, routers, interfaces,
// gateways, extra routes and floating IPs, shaped as Neutron returns them to an admin.
import { ipText, prefix } from './ip.js';
import type { FloatingIpView, NetworkView, PodSnapshot, PortView, RouterView, Snapshot, SubnetView } from './types.js';

export interface NetworkOptions {
  /** A VLAN provider segment (physical network, VLAN id): joins same-VLAN networks of other pods. */
  vlan?: { physnet: string; id: number };
  /** A flat provider network on this physical network. */
  flat?: string;
  /** Tenant type for networks without vlan/flat (default vxlan, pod-local). */
  type?: string;
  external?: boolean;
  shared?: boolean;
  project?: string;
}

export class PodBuilder {
  readonly data: PodSnapshot;
  private vni = 100;
  private macs = 0;

  constructor(
    readonly region: string,
    private readonly project: string,
  ) {
    this.data = { region, networks: [], subnets: [], ports: [], routers: [], floatingips: [] };
  }

  private id(kind: string, name: string): string {
    return `${kind}-${name}-${this.region}`;
  }

  network(name: string, opts: NetworkOptions = {}): NetworkView {
    const [type, physnet, seg] = opts.vlan
      ? ['vlan', opts.vlan.physnet, opts.vlan.id]
      : opts.flat
        ? ['flat', opts.flat, null]
        : [opts.type ?? 'vxlan', null, (opts.type ?? 'vxlan') === 'local' ? null : this.vni++];
    const net: NetworkView = {
      id: this.id('net', name),
      name,
      project_id: opts.project ?? this.project,
      'provider:network_type': type,
      'provider:physical_network': physnet,
      'provider:segmentation_id': seg,
      'router:external': opts.external ?? false,
      shared: opts.shared ?? false,
      admin_state_up: true,
    };
    this.data.networks.push(net);
    return net;
  }

  /** A subnet; the gateway defaults to the first address of an IPv4 CIDR (null: no gateway). */
  subnet(net: NetworkView, cidr: string, opts: { gateway?: string | null; name?: string } = {}): SubnetView {
    const p = prefix(cidr);
    const taken = this.data.subnets.filter((x) => x.network_id === net.id).length;
    const name = opts.name ?? `${net.name}-subnet${taken ? taken + 1 : ''}`;
    const subnet: SubnetView = {
      id: this.id('subnet', name),
      name,
      network_id: net.id,
      cidr,
      gateway_ip: opts.gateway !== undefined ? opts.gateway : p ? ipText(p.base + 1) : null,
      ip_version: cidr.includes(':') ? 6 : 4,
      project_id: net.project_id,
    };
    this.data.subnets.push(subnet);
    return subnet;
  }

  /** A port with one fixed IP on the subnet. */
  port(subnet: SubnetView, ip: string, opts: { name?: string; deviceOwner?: string; deviceId?: string; project?: string } = {}): PortView {
    const name = opts.name ?? `${subnet.name}-${ip}`;
    const port: PortView = {
      id: this.id('port', name),
      name,
      project_id: opts.project ?? this.project,
      network_id: subnet.network_id,
      fixed_ips: [{ subnet_id: subnet.id, ip_address: ip }],
      device_owner: opts.deviceOwner ?? '',
      device_id: opts.deviceId ?? '',
      mac_address: `fa:16:3e:00:${(this.macs >> 8).toString(16).padStart(2, '0')}:${(this.macs++ & 255).toString(16).padStart(2, '0')}`,
      admin_state_up: true,
    };
    this.data.ports.push(port);
    return port;
  }

  /** A VM's port (device_owner compute:<az>). */
  vm(subnet: SubnetView, ip: string, name: string): PortView {
    return this.port(subnet, ip, { name, deviceOwner: 'compute:nova', deviceId: `server-${name}` });
  }

  router(name: string, opts: { project?: string } = {}): RouterView {
    const router: RouterView = {
      id: this.id('router', name),
      name,
      project_id: opts.project ?? this.project,
      admin_state_up: true,
      external_gateway_info: null,
      routes: [],
    };
    this.data.routers.push(router);
    return router;
  }

  /** Attaches the router to a subnet with a router_interface port (default address: the subnet's gateway). */
  attach(router: RouterView, subnet: SubnetView, ip?: string): PortView {
    const address = ip ?? subnet.gateway_ip;
    if (!address) throw new Error(`subnet ${subnet.name} has no gateway: give the interface address`);
    return this.port(subnet, address, { name: `${router.name}-if-${address}`, deviceOwner: 'network:router_interface', deviceId: router.id, project: router.project_id });
  }

  /** Sets the router's gateway on an external subnet at the given address. */
  gateway(router: RouterView, subnet: SubnetView, ip: string, opts: { snat?: boolean } = {}): PortView {
    router.external_gateway_info = {
      network_id: subnet.network_id,
      enable_snat: opts.snat ?? true,
      external_fixed_ips: [{ subnet_id: subnet.id, ip_address: ip }],
    };
    return this.port(subnet, ip, { name: `${router.name}-gw-${ip}`, deviceOwner: 'network:router_gateway', deviceId: router.id, project: '' });
  }

  route(router: RouterView, destination: string, nexthop: string): void {
    (router.routes ??= []).push({ destination, nexthop });
  }

  /** A floating IP on an external network, optionally associated with a port through a router. */
  fip(net: NetworkView, address: string, assoc?: { port: PortView; router: RouterView; fixedIp?: string }): FloatingIpView {
    const fip: FloatingIpView = {
      id: this.id('fip', address),
      project_id: this.project,
      floating_ip_address: address,
      floating_network_id: net.id,
      port_id: assoc ? assoc.port.id : null,
      fixed_ip_address: assoc ? (assoc.fixedIp ?? assoc.port.fixed_ips[0].ip_address) : null,
      router_id: assoc ? assoc.router.id : null,
      status: assoc ? 'ACTIVE' : 'DOWN',
    };
    this.data.floatingips.push(fip);
    return fip;
  }
}

export class TopologyBuilder {
  private readonly pods = new Map<string, PodBuilder>();

  constructor(private readonly project = 'project-a') {}

  pod(region: string): PodBuilder {
    let pod = this.pods.get(region);
    if (!pod) {
      pod = new PodBuilder(region, this.project);
      this.pods.set(region, pod);
    }
    return pod;
  }

  /** A deep copy of everything built so far. */
  snapshot(): Snapshot {
    return structuredClone({ pods: [...this.pods.values()].map((p) => p.data) });
  }
}

/** The pod of a snapshot by region (throws when absent). */
export function podOf(snapshot: Snapshot, region: string): PodSnapshot {
  const pod = snapshot.pods.find((p) => p.region === region);
  if (!pod) throw new Error(`no pod ${region} in the snapshot`);
  return pod;
}
