// The forwarding model built from a snapshot: L2 domains (networks joined across pods by VLAN or
// flat physnet), who answers for which address on each domain (VM ports, router ports, floating
// IPs), router forwarding tables (connected subnets, extra routes, default route via the gateway),
// and the static problems found while building them.
import { contains, ipText, prefix, v4, type Prefix } from './ip.js';
import type { FloatingIpView, Issue, IssueCode, NetworkView, PortView, RouterView, Snapshot, SubnetView } from './types.js';

export const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];
export const ROUTER_GATEWAY_OWNER = 'network:router_gateway';

/** A VM (or bare metal) port: the hosts between which reachability is checked. */
export function isHostPort(p: PortView): boolean {
  const owner = p.device_owner ?? '';
  return owner.startsWith('compute:') || owner.startsWith('baremetal:');
}

export interface NetInfo {
  key: string;
  region: string;
  net: NetworkView;
  label: string;
  /** "vlan bridge/2001", "flat extern", or the network type for pod-local networks. */
  segment: string;
  external: boolean;
  subnets: SubnetInfo[];
  domain: Domain;
}

export interface SubnetInfo {
  region: string;
  subnet: SubnetView;
  net: NetInfo;
  prefix: Prefix;
  gateway?: number;
  label: string;
}

export type Claim =
  | { kind: 'host'; region: string; port: PortView; net: NetInfo; ip: number; label: string }
  | { kind: 'router'; router: RouterInfo; iface: Iface; label: string }
  | { kind: 'fip'; router: RouterInfo; fip: FipInfo; label: string }
  | { kind: 'inert'; region: string; label: string };

export interface Domain {
  id: number;
  label: string;
  /** Segment key shared across pods (vlan/flat), undefined for a pod-local network. */
  segmentKey?: string;
  nets: NetInfo[];
  claims: Map<number, Claim[]>;
  regions: Set<string>;
}

export interface Iface {
  router: RouterInfo;
  kind: 'interface' | 'gateway';
  ip: number;
  subnet: SubnetInfo;
  port?: PortView;
}

export interface RouteEntry {
  prefix: Prefix;
  kind: 'connected' | 'extra' | 'default';
  /** The interface the packet leaves by (for extra and default routes, the one the nexthop is on). */
  iface: Iface;
  nexthop?: number;
  text: string;
}

export interface RouterInfo {
  key: string;
  region: string;
  router: RouterView;
  label: string;
  ifaces: Iface[];
  table: RouteEntry[];
  gatewayNet?: NetInfo;
  snat: boolean;
  fips: FipInfo[];
  down: boolean;
}

export interface FipInfo {
  region: string;
  fip: FloatingIpView;
  label: string;
  address: number;
  net?: NetInfo;
  router?: RouterInfo;
  port?: PortView;
  fixed?: number;
  associated: boolean;
  /** Why an associated floating IP cannot work (its router, port or network is wrong). */
  problem?: string;
}

export interface Model {
  nets: Map<string, NetInfo>;
  domains: Domain[];
  routers: Map<string, RouterInfo>;
  fips: FipInfo[];
  /** Every port by `${region}/${id}`. */
  ports: Map<string, { region: string; port: PortView }>;
  issues: Issue[];
}

const key = (region: string, id: string) => `${region}/${id}`;
const nameOf = (r: { name?: string; id?: string }) => (r.name ? r.name : (r.id ?? '?'));

function segmentOf(net: NetworkView): { segment: string; key?: string } {
  const type = net['provider:network_type'];
  const physnet = net['provider:physical_network'];
  const seg = net['provider:segmentation_id'];
  if (type === 'vlan' && physnet && seg !== null && seg !== undefined) return { segment: `vlan ${physnet}/${seg}`, key: `vlan:${physnet}:${seg}` };
  if (type === 'flat' && physnet) return { segment: `flat ${physnet}`, key: `flat:${physnet}` };
  if (type === undefined || type === null) return { segment: 'unknown type' };
  return { segment: seg !== null && seg !== undefined ? `${type} ${seg}` : String(type) };
}

function answering(claims: Claim[] | undefined): Claim[] {
  return (claims ?? []).filter((c) => c.kind !== 'inert');
}

/** The claims on a domain that answer for an address (VM ports, router ports, floating IPs). */
export function answerers(domain: Domain, ip: number): Claim[] {
  return answering(domain.claims.get(ip));
}

/** The subnet of a domain containing an address (any pod's copy). */
export function subnetsContaining(domain: Domain, ip: number): SubnetInfo[] {
  return domain.nets.flatMap((n) => n.subnets).filter((s) => contains(s.prefix, ip));
}

/**
 * An address on a domain is "upstream" when nothing in the cloud answers for it and it is the
 * gateway of a subnet on an external network: the operator's router beyond the cloud. A domain
 * that some pod has as an internal network (the N-S bridge) never leads outside.
 */
export function isUpstreamGateway(domain: Domain, ip: number): boolean {
  if (answerers(domain, ip).length || !domain.nets.every((n) => n.external)) return false;
  return domain.nets.some((n) => n.subnets.some((s) => s.gateway === ip));
}

/** A domain that reaches the world outside the cloud: an external network whose gateway is not a cloud port. */
export function isUpstreamDomain(domain: Domain): boolean {
  return domain.nets.some((n) => n.external && n.subnets.some((s) => s.gateway !== undefined && isUpstreamGateway(domain, s.gateway)));
}

/** Why nothing on `domain` answers for `ip`: ports that hold it without answering, and other L2 domains that have it. */
export function absenceHints(model: Model, domain: Domain, ip: number): string {
  const hints: string[] = [];
  for (const c of domain.claims.get(ip) ?? []) if (c.kind === 'inert') hints.push(c.label);
  const cidrs = new Set(
    domain.nets
      .flatMap((n) => n.subnets)
      .filter((s) => contains(s.prefix, ip))
      .map((s) => s.prefix.text),
  );
  for (const other of model.domains) {
    if (other === domain) continue;
    const found = answering(other.claims.get(ip));
    if (!found.length) continue;
    const sameCidr = other.nets.some((n) => n.subnets.some((s) => contains(s.prefix, ip) && cidrs.has(s.prefix.text)));
    if (!sameCidr) continue;
    for (const c of found) {
      const where = other.nets.map((n) => `${n.label} (${n.segment})`).join(', ');
      hints.push(`${ipText(ip)} is ${c.label} on ${where}, a different L2 domain (segments differ)`);
    }
  }
  return hints.length ? `; ${hints.join('; ')}` : '';
}

class Builder {
  readonly model: Model = { nets: new Map(), domains: [], routers: new Map(), fips: [], ports: new Map(), issues: [] };

  issue(code: IssueCode, severity: Issue['severity'], message: string, region?: string): void {
    this.model.issues.push({ code, severity, message, ...(region ? { region } : {}) });
  }

  claim(domain: Domain, ip: number, c: Claim): void {
    const list = domain.claims.get(ip) ?? [];
    list.push(c);
    domain.claims.set(ip, list);
  }

  build(snapshot: Snapshot): Model {
    this.networks(snapshot);
    this.subnets(snapshot);
    this.checkL2Consistency();
    this.routers(snapshot);
    this.ports(snapshot);
    this.floatingIps(snapshot);
    this.routeTables();
    this.checkDuplicates();
    this.checkRoutes();
    this.checkGateways();
    this.checkCrossPodPorts();
    this.checkInnerFips();
    return this.model;
  }

  private networks(snapshot: Snapshot): void {
    const bySegment = new Map<string, Domain>();
    for (const pod of snapshot.pods) {
      let missing = 0;
      for (const net of pod.networks) {
        if (!('provider:network_type' in net)) missing++;
        const { segment, key: segKey } = segmentOf(net);
        let domain = segKey ? bySegment.get(segKey) : undefined;
        if (!domain) {
          domain = { id: this.model.domains.length, label: '', segmentKey: segKey, nets: [], claims: new Map(), regions: new Set() };
          this.model.domains.push(domain);
          if (segKey) bySegment.set(segKey, domain);
        }
        const info: NetInfo = {
          key: key(pod.region, net.id),
          region: pod.region,
          net,
          label: `${pod.region}:${nameOf(net)}`,
          segment,
          external: net['router:external'] === true,
          subnets: [],
          domain,
        };
        domain.nets.push(info);
        domain.regions.add(pod.region);
        this.model.nets.set(info.key, info);
      }
      if (missing) {
        this.issue(
          'missing-provider-attributes',
          'warning',
          `${pod.region}: ${missing} network(s) without provider attributes (not read with an admin token?); treated as pod-local`,
          pod.region,
        );
      }
    }
    for (const d of this.model.domains) {
      const names = d.nets.map((n) => n.label).join(', ');
      d.label = d.segmentKey ? `${d.nets[0].segment} [${names}]` : `${names} (${d.nets[0].segment})`;
    }
  }

  private subnets(snapshot: Snapshot): void {
    for (const pod of snapshot.pods) {
      for (const s of pod.subnets) {
        if (s.ip_version !== 4) continue;
        const net = this.model.nets.get(key(pod.region, s.network_id));
        const p = prefix(s.cidr);
        if (!net || !p) continue;
        net.subnets.push({ region: pod.region, subnet: s, net, prefix: p, gateway: v4(s.gateway_ip), label: `${pod.region}:${nameOf(s)} ${p.text}` });
      }
    }
  }

  private checkL2Consistency(): void {
    for (const d of this.model.domains) {
      if (d.nets.length < 2) continue;
      const sets = d.nets.map((n) => ({ n, cidrs: [...new Set(n.subnets.map((s) => s.prefix.text))].sort().join(', ') }));
      if (new Set(sets.map((s) => s.cidrs)).size > 1) {
        this.issue(
          'l2-subnet-mismatch',
          'error',
          `L2 domain ${d.nets[0].segment} joins networks whose subnets differ: ${sets.map((s) => `${s.n.label} has ${s.cidrs || 'no IPv4 subnet'}`).join('; ')}`,
        );
      }
    }
  }

  private subnetFor(region: string, port: PortView, f: { subnet_id?: string; ip_address: string }, ip: number): SubnetInfo | undefined {
    const net = this.model.nets.get(key(region, port.network_id));
    if (!net) return undefined;
    return (f.subnet_id ? net.subnets.find((s) => s.subnet.id === f.subnet_id) : undefined) ?? net.subnets.find((s) => contains(s.prefix, ip));
  }

  private routers(snapshot: Snapshot): void {
    for (const pod of snapshot.pods) {
      for (const router of pod.routers) {
        const info: RouterInfo = {
          key: key(pod.region, router.id),
          region: pod.region,
          router,
          label: `${pod.region} router ${nameOf(router)}`,
          ifaces: [],
          table: [],
          snat: router.external_gateway_info?.enable_snat !== false,
          fips: [],
          down: router.admin_state_up === false,
        };
        this.model.routers.set(info.key, info);
        const gw = router.external_gateway_info;
        if (gw?.network_id) {
          const net = this.model.nets.get(key(pod.region, gw.network_id));
          if (!net) {
            this.issue('router-gateway-invalid', 'error', `${info.label}: gateway network ${gw.network_id} does not exist in ${pod.region}`, pod.region);
          } else {
            if (!net.external) this.issue('router-gateway-invalid', 'error', `${info.label}: gateway network ${net.label} is not external`, pod.region);
            info.gatewayNet = net;
          }
        }
      }
    }
  }

  private addIface(router: RouterInfo, kind: Iface['kind'], ip: number, subnet: SubnetInfo, port?: PortView): Iface {
    const iface: Iface = { router, kind, ip, subnet, port };
    router.ifaces.push(iface);
    this.claim(subnet.net.domain, ip, {
      kind: 'router',
      router,
      iface,
      label: `${router.label} (${kind === 'gateway' ? 'gateway' : 'interface'} ${ipText(ip)} on ${subnet.net.label})`,
    });
    return iface;
  }

  private ports(snapshot: Snapshot): void {
    for (const pod of snapshot.pods) {
      for (const port of pod.ports) {
        this.model.ports.set(key(pod.region, port.id), { region: pod.region, port });
        const owner = port.device_owner ?? '';
        const router = port.device_id ? this.model.routers.get(key(pod.region, port.device_id)) : undefined;
        const routerPort = ROUTER_INTERFACE_OWNERS.includes(owner) || owner === ROUTER_GATEWAY_OWNER;
        const net = this.model.nets.get(key(pod.region, port.network_id));
        for (const f of port.fixed_ips) {
          const ip = v4(f.ip_address);
          if (ip === undefined) continue;
          const subnet = this.subnetFor(pod.region, port, f, ip);
          if (!subnet) {
            if (net || routerPort || isHostPort(port)) {
              this.issue(
                'port-subnet-missing',
                'warning',
                `${pod.region} port ${nameOf(port)}: ${f.ip_address} is on no known IPv4 subnet of network ${port.network_id}`,
                pod.region,
              );
            }
            continue;
          }
          const domain = subnet.net.domain;
          const portLabel = `${pod.region} port ${nameOf(port)}`;
          if (routerPort && router) {
            const kind = owner === ROUTER_GATEWAY_OWNER ? 'gateway' : 'interface';
            if (kind === 'gateway' && router.gatewayNet && router.gatewayNet !== subnet.net) {
              this.issue(
                'router-gateway-invalid',
                'error',
                `${router.label}: gateway port ${nameOf(port)} is on ${subnet.net.label}, not on the gateway network ${router.gatewayNet.label}`,
                pod.region,
              );
            }
            this.addIface(router, kind, ip, subnet, port);
          } else if (routerPort) {
            this.claim(domain, ip, {
              kind: 'inert',
              region: pod.region,
              label: `${ipText(ip)} is held by ${portLabel}, a ${owner} port of router ${port.device_id || '(none)'} which does not exist in ${pod.region}`,
            });
          } else if (isHostPort(port)) {
            this.claim(domain, ip, { kind: 'host', region: pod.region, port, net: subnet.net, ip, label: `${pod.region} VM port ${nameOf(port)} (${ipText(ip)})` });
          } else {
            const what = owner ? `a ${owner} port` : 'a port attached to no VM or router';
            this.claim(domain, ip, { kind: 'inert', region: pod.region, label: `${ipText(ip)} is held by ${portLabel}, ${what}, which does not answer for it` });
          }
        }
      }
    }
    // The gateway addresses the routers' external_gateway_info lists without a gateway port.
    for (const router of this.model.routers.values()) {
      const gw = router.router.external_gateway_info;
      if (!gw || !router.gatewayNet) continue;
      for (const f of gw.external_fixed_ips ?? []) {
        const ip = v4(f.ip_address);
        if (ip === undefined || router.ifaces.some((i) => i.ip === ip && i.kind === 'gateway')) continue;
        const subnet = router.gatewayNet.subnets.find((s) => s.subnet.id === f.subnet_id) ?? router.gatewayNet.subnets.find((s) => contains(s.prefix, ip));
        if (!subnet) {
          this.issue('router-gateway-invalid', 'error', `${router.label}: gateway address ${f.ip_address} is on no subnet of ${router.gatewayNet.label}`, router.region);
          continue;
        }
        this.addIface(router, 'gateway', ip, subnet);
      }
    }
  }

  private floatingIps(snapshot: Snapshot): void {
    for (const pod of snapshot.pods) {
      for (const fip of pod.floatingips) {
        const address = v4(fip.floating_ip_address);
        if (address === undefined) continue;
        const net = this.model.nets.get(key(pod.region, fip.floating_network_id));
        const info: FipInfo = {
          region: pod.region,
          fip,
          label: `${pod.region} floating IP ${fip.floating_ip_address}`,
          address,
          net,
          associated: !!fip.port_id,
        };
        this.model.fips.push(info);
        const problem = this.fipProblem(pod.region, info);
        const domain = net?.domain;
        if (!info.associated) {
          if (domain) this.claim(domain, address, { kind: 'inert', region: pod.region, label: `${info.label} is not associated with any port` });
          continue;
        }
        if (problem) {
          info.problem = problem;
          this.issue('fip-invalid', 'error', `${info.label}: ${problem}`, pod.region);
          if (domain) this.claim(domain, address, { kind: 'inert', region: pod.region, label: `${info.label} is broken: ${problem}` });
          continue;
        }
        info.router!.fips.push(info);
        this.claim(domain!, address, { kind: 'fip', router: info.router!, fip: info, label: `${info.router!.label} (${info.label} → ${fip.fixed_ip_address})` });
      }
    }
  }

  private fipProblem(region: string, info: FipInfo): string | undefined {
    const fip = info.fip;
    if (!info.net) return `its network ${fip.floating_network_id} does not exist in ${region}`;
    if (!info.associated) return undefined;
    const entry = this.model.ports.get(key(region, fip.port_id!));
    if (!entry) return `its port ${fip.port_id} does not exist in ${region}`;
    info.port = entry.port;
    const fixed = v4(fip.fixed_ip_address);
    if (fixed === undefined || !entry.port.fixed_ips.some((f) => v4(f.ip_address) === fixed)) {
      return `its fixed_ip_address ${fip.fixed_ip_address} is not an IPv4 address of port ${nameOf(entry.port)}`;
    }
    info.fixed = fixed;
    if (!fip.router_id) return `it is associated with port ${nameOf(entry.port)} but has no router_id`;
    const router = this.model.routers.get(key(region, fip.router_id));
    if (!router) return `its router ${fip.router_id} does not exist in ${region}`;
    info.router = router;
    if (router.gatewayNet !== info.net) {
      return `its router ${nameOf(router.router)} has its gateway on ${router.gatewayNet?.label ?? 'no network'}, not on ${info.net.label}`;
    }
    return undefined;
  }

  private routeTables(): void {
    for (const router of this.model.routers.values()) {
      const table: RouteEntry[] = [];
      for (const iface of router.ifaces) {
        table.push({ prefix: iface.subnet.prefix, kind: 'connected', iface, text: `${iface.subnet.prefix.text} connected (${iface.subnet.net.label})` });
      }
      for (const route of router.router.routes ?? []) {
        const dest = prefix(route.destination);
        const hop = v4(route.nexthop);
        const text = `extra route ${route.destination} via ${route.nexthop}`;
        if (!dest || hop === undefined) {
          if (!route.destination.includes(':')) this.issue('route-invalid', 'error', `${router.label}: ${text} is not an IPv4 route`, router.region);
          continue;
        }
        if (router.ifaces.some((i) => i.ip === hop)) {
          this.issue('route-invalid', 'error', `${router.label}: ${text}: the nexthop is the router's own address`, router.region);
          continue;
        }
        const via = router.ifaces.find((i) => contains(i.subnet.prefix, hop));
        if (!via) {
          const connected = router.ifaces.map((i) => i.subnet.prefix.text).join(', ') || 'none';
          this.issue(
            'route-nexthop-not-connected',
            'error',
            `${router.label}: ${text}: nexthop ${route.nexthop} is on no subnet attached to the router (connected: ${connected}); the route is dead`,
            router.region,
          );
          continue;
        }
        table.push({ prefix: dest, kind: 'extra', iface: via, nexthop: hop, text });
      }
      const gws = router.ifaces.filter((i) => i.kind === 'gateway' && i.subnet.gateway !== undefined);
      if (gws.length) {
        const gw = gws[0];
        table.push({
          prefix: prefix('0.0.0.0/0')!,
          kind: 'default',
          iface: gw,
          nexthop: gw.subnet.gateway,
          text: `default via ${ipText(gw.subnet.gateway!)} (gateway on ${gw.subnet.net.label})`,
        });
      }
      const order = { connected: 0, extra: 1, default: 2 };
      table.sort((a, b) => b.prefix.len - a.prefix.len || order[a.kind] - order[b.kind]);
      router.table = table;
    }
  }

  private checkDuplicates(): void {
    for (const d of this.model.domains) {
      for (const [ip, claims] of d.claims) {
        const live = answering(claims);
        if (live.length > 1) {
          this.issue('duplicate-ip', 'error', `${ipText(ip)} is answered by several ports on L2 domain ${d.label}: ${live.map((c) => c.label).join('; ')}`);
        }
      }
    }
  }

  private checkRoutes(): void {
    for (const router of this.model.routers.values()) {
      for (const e of router.table) {
        if (e.kind !== 'extra') continue;
        const domain = e.iface.subnet.net.domain;
        const found = answerers(domain, e.nexthop!);
        if (!found.length) {
          this.issue(
            'route-nexthop-unanswered',
            'error',
            `${router.label}: ${e.text}: nothing on L2 domain ${domain.label} answers for ${ipText(e.nexthop!)}${absenceHints(this.model, domain, e.nexthop!)}`,
            router.region,
          );
        } else if (found.every((c) => c.kind === 'host')) {
          this.issue('route-nexthop-not-router', 'error', `${router.label}: ${e.text}: the nexthop is ${found[0].label}, not a router`, router.region);
        }
      }
    }
  }

  private checkGateways(): void {
    for (const net of this.model.nets.values()) {
      const domain = net.domain;
      for (const s of net.subnets) {
        const hosts = [...domain.claims.values()].flat().filter((c) => c.kind === 'host' && c.net === net && contains(s.prefix, c.ip));
        if (!hosts.length) continue;
        // Only where some router is attached to this subnet in the domain: an isolated network
        // with an unused gateway_ip is fine.
        const routerIfaces = [...this.model.routers.values()].flatMap((r) => r.ifaces).filter((i) => i.subnet.net.domain === domain && i.subnet.prefix.text === s.prefix.text);
        if (!routerIfaces.length) continue;
        const attached = routerIfaces.map((i) => `${i.router.label} at ${ipText(i.ip)}`).join(', ');
        if (s.gateway === undefined) {
          this.issue('gateway-unanswered', 'error', `${s.label} has no gateway_ip although routers are attached (${attached}): its VMs cannot leave the subnet`, net.region);
          continue;
        }
        const found = answerers(domain, s.gateway);
        if (!found.length) {
          this.issue(
            'gateway-unanswered',
            'error',
            `${s.label}: gateway_ip ${ipText(s.gateway)} is answered by no router port on L2 domain ${domain.label} (routers on the subnet: ${attached}); VMs of ${net.region} cannot leave the subnet`,
            net.region,
          );
        } else if (found.every((c) => c.kind === 'host')) {
          this.issue('gateway-not-router', 'error', `${s.label}: gateway_ip ${ipText(s.gateway)} is ${found[0].label}, not a router`, net.region);
        }
      }
    }
  }

  private checkCrossPodPorts(): void {
    const byProject = new Map<string, RouterInfo[]>();
    for (const r of this.model.routers.values()) {
      const p = r.router.project_id ?? '';
      byProject.set(p, [...(byProject.get(p) ?? []), r]);
    }
    for (const routers of byProject.values()) {
      if (new Set(routers.map((r) => r.region)).size < 2) continue;
      for (const r of routers) {
        if (!r.ifaces.some((i) => i.kind === 'interface')) continue;
        if (r.ifaces.some((i) => i.subnet.net.domain.regions.size > 1)) continue;
        const others = routers
          .filter((o) => o.region !== r.region)
          .map((o) => o.label)
          .join(', ');
        this.issue(
          'router-no-cross-pod-port',
          'warning',
          `${r.label} has no port on any network shared with another pod (no bridge port): ${others} cannot route to its subnets`,
          r.region,
        );
      }
    }
  }

  private checkInnerFips(): void {
    for (const f of this.model.fips) {
      if (!f.associated || f.problem || !f.net || isUpstreamDomain(f.net.domain)) continue;
      const chained = this.model.fips.some(
        (o) => o !== f && o.associated && !o.problem && o.fixed === f.address && o.port && this.model.nets.get(key(o.region, o.port.network_id))?.domain === f.net!.domain,
      );
      if (!chained) {
        this.issue(
          'fip-inner-orphan',
          'warning',
          `${f.label} is on ${f.net.label}, which does not lead outside the cloud, and no floating IP in another pod maps to it: nothing outside reaches it`,
          f.region,
        );
      }
    }
  }
}

/** Builds the forwarding model of a snapshot; `model.issues` lists what is statically wrong. */
export function buildModel(snapshot: Snapshot): Model {
  return new Builder().build(snapshot);
}
