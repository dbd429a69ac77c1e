// The packet walk: from a VM port (or the world outside an external network) to an address, hop by
// hop through L2 domains and routers, with DNAT on floating IPs, SNAT on gateways, and the reply
// walked back through the same NAT state.
import { contains, ipText, isV6, v4 } from './ip.js';
import {
  absenceHints,
  answerers,
  buildModel,
  isHostPort,
  isUpstreamDomain,
  isUpstreamGateway,
  subnetsContaining,
  type Claim,
  type Domain,
  type Model,
  type RouterInfo,
  type SubnetInfo,
} from './model.js';
import type { PortView, ReachQuery, ReachResult, Snapshot, WalkResult } from './types.js';

const MAX_HOPS = 32;
const DEFAULT_CLIENT = '203.0.113.1';

interface Pkt {
  src: number;
  dst: number;
}

interface Nat {
  router: RouterInfo;
  kind: 'dnat' | 'snat';
  orig: number;
  xlated: number;
  undone: boolean;
}

type Target = { kind: 'host'; ip?: number; portKey?: string } | { kind: 'external'; ip: number; domain?: Domain };

type Outcome = { ok: true; pkt: Pkt; host?: { region: string; port: PortView; ip: number } } | { ok: false; reason: string };

interface HostStart {
  region: string;
  port: PortView;
  ip: number;
  subnet: SubnetInfo;
}

class Walk {
  readonly path: string[] = [];
  /** A reply that would be source-NATed by a router the request did not pass (reported if nothing worse happens). */
  asymmetric?: string;
  private hops = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly model: Model,
    private readonly mode: 'forward' | 'reply',
    private readonly target: Target,
    readonly nats: Nat[],
  ) {}

  fail(reason: string): Outcome {
    return { ok: false, reason: this.mode === 'reply' ? `reply: ${reason}` : reason };
  }

  fromHost(start: HostStart, pkt: Pkt): Outcome {
    const { subnet } = start;
    this.path.push(`${start.region} VM port ${portName(start.port)} (${ipText(start.ip)}) on ${subnet.label}`);
    if (contains(subnet.prefix, pkt.dst)) return this.deliver(subnet.net.domain, pkt);
    if (subnet.gateway === undefined) {
      return this.fail(`${subnet.label} has no gateway_ip: ${ipText(start.ip)} cannot reach off-subnet ${ipText(pkt.dst)}`);
    }
    return this.nextHop(subnet.net.domain, subnet.gateway, pkt, `gateway ${ipText(subnet.gateway)} of ${subnet.label}`);
  }

  fromOutside(domain: Domain, pkt: Pkt): Outcome {
    this.path.push(`outside client ${ipText(pkt.src)} on ${domain.label}`);
    return this.deliver(domain, pkt);
  }

  /** Hands a packet to whoever answers for its destination on an L2 domain. */
  deliver(domain: Domain, pkt: Pkt): Outcome {
    const found = answerers(domain, pkt.dst);
    if (!found.length) {
      if (this.target.kind === 'external' && pkt.dst === this.target.ip && (!this.target.domain || this.target.domain === domain)) {
        this.path.push(`outside client ${ipText(pkt.dst)} on ${domain.label}`);
        return { ok: true, pkt };
      }
      return this.fail(`nothing on L2 domain ${domain.label} answers for ${ipText(pkt.dst)}${absenceHints(this.model, domain, pkt.dst)}`);
    }
    if (found.length > 1) return this.fail(`${ipText(pkt.dst)} is ambiguous on L2 domain ${domain.label}: ${found.map((c) => c.label).join('; ')}`);
    return this.enter(found[0], pkt, domain);
  }

  private enter(c: Claim, pkt: Pkt, domain: Domain): Outcome {
    switch (c.kind) {
      case 'host':
        this.path.push(`${c.label} via ${domain.label}`);
        if (this.target.kind === 'external') return this.fail(`the packet for ${ipText(this.target.ip)} ended at ${c.label}`);
        return { ok: true, pkt, host: { region: c.region, port: c.port, ip: c.ip } };
      case 'router':
      case 'fip':
        return this.router(c.router, pkt, domain);
      case 'inert':
        return this.fail(c.label);
    }
  }

  /** Sends a packet to a next-hop address (a gateway or a route's nexthop) on an L2 domain. */
  private nextHop(domain: Domain, hop: number, pkt: Pkt, what: string): Outcome {
    const found = answerers(domain, hop);
    if (!found.length) {
      if (isUpstreamGateway(domain, hop)) return this.upstream(domain, hop, pkt, what);
      return this.fail(`${what}: nothing on L2 domain ${domain.label} answers for ${ipText(hop)}${absenceHints(this.model, domain, hop)}`);
    }
    if (found.length > 1) return this.fail(`${what}: ${ipText(hop)} is ambiguous on L2 domain ${domain.label}: ${found.map((c) => c.label).join('; ')}`);
    const c = found[0];
    if (c.kind === 'host') return this.fail(`${what}: ${ipText(hop)} is ${c.label}, not a router`);
    if (c.kind === 'inert') return this.fail(`${what}: ${c.label}`);
    return this.router(c.router, pkt, domain);
  }

  /** The packet left the cloud through an upstream gateway; the outside delivers to the client or another pod's external network. */
  private upstream(domain: Domain, hop: number, pkt: Pkt, what: string): Outcome {
    this.path.push(`upstream gateway ${ipText(hop)} on ${domain.label} (outside the cloud)`);
    if (this.target.kind === 'external' && pkt.dst === this.target.ip && !this.target.domain) return { ok: true, pkt };
    for (const d of this.model.domains) {
      if (d === domain || !isUpstreamDomain(d)) continue;
      if (d.nets.some((n) => n.external && n.subnets.some((s) => contains(s.prefix, pkt.dst)))) {
        this.path.push(`outside routes ${ipText(pkt.dst)} to ${d.label}`);
        return this.deliver(d, pkt);
      }
    }
    if (this.target.kind === 'external' && pkt.dst === this.target.ip) return { ok: true, pkt };
    return this.fail(`${what} sends ${ipText(pkt.dst)} out of the cloud (upstream gateway ${ipText(hop)} on ${domain.label}): no route to it inside the cloud`);
  }

  private router(r: RouterInfo, pkt: Pkt, ingress: Domain): Outcome {
    if (++this.hops > MAX_HOPS) return this.fail(`TTL exceeded at ${r.label}`);
    const state = `${r.key}|${pkt.src}|${pkt.dst}`;
    if (this.seen.has(state)) return this.fail(`routing loop: ${ipText(pkt.dst)} came back to ${r.label}`);
    this.seen.add(state);
    if (r.down) return this.fail(`${r.label} is administratively down`);
    const notes: string[] = [];
    let dnatHere = false;
    if (this.mode === 'reply') {
      for (const n of this.nats) {
        if (n.router !== r || n.undone) continue;
        if (n.kind === 'dnat' && pkt.src === n.xlated) {
          pkt = { ...pkt, src: n.orig };
          n.undone = true;
          notes.push(`un-DNAT source ${ipText(n.xlated)} → ${ipText(n.orig)}`);
        } else if (n.kind === 'snat' && pkt.dst === n.xlated) {
          pkt = { ...pkt, dst: n.orig };
          n.undone = true;
          notes.push(`un-SNAT destination ${ipText(n.xlated)} → ${ipText(n.orig)}`);
        }
      }
    } else {
      const fip = r.fips.find((f) => f.address === pkt.dst);
      if (fip) {
        this.nats.push({ router: r, kind: 'dnat', orig: fip.address, xlated: fip.fixed!, undone: false });
        notes.push(`DNAT ${ipText(fip.address)} → ${ipText(fip.fixed!)} (${fip.label})`);
        pkt = { ...pkt, dst: fip.fixed! };
        dnatHere = true;
      }
    }
    const own = r.ifaces.find((i) => i.ip === pkt.dst);
    if (own) {
      this.path.push(`${r.label}${notes.length ? `: ${notes.join(', ')}` : ''}`);
      return this.fail(`${ipText(pkt.dst)} is ${r.label}'s own address, not a VM`);
    }
    const route = r.table.find((e) => contains(e.prefix, pkt.dst));
    if (!route) {
      this.path.push(`${r.label}${notes.length ? `: ${notes.join(', ')}` : ''}`);
      return this.fail(`${r.label} has no route to ${ipText(pkt.dst)} (${tableSummary(r)})`);
    }
    notes.push(route.text);
    if (route.iface.kind === 'gateway') {
      const snat = this.snat(r, route.iface.ip, pkt);
      if (snat) {
        notes.push(`SNAT ${ipText(pkt.src)} → ${ipText(snat.src)}`);
        pkt = snat;
      }
    } else if (dnatHere && r.snat && !r.ifaces.some((i) => i.kind === 'gateway' && i.subnet.net.domain === ingress)) {
      // Hairpin: traffic from inside to a floating IP is source-NATed to the gateway address, as
      // Neutron's L3 agent does for DNATed packets that did not come in by the gateway.
      const gw = r.ifaces.find((i) => i.kind === 'gateway');
      if (gw) {
        this.nats.push({ router: r, kind: 'snat', orig: pkt.src, xlated: gw.ip, undone: false });
        notes.push(`SNAT ${ipText(pkt.src)} → ${ipText(gw.ip)} (hairpin)`);
        pkt = { ...pkt, src: gw.ip };
      }
    }
    this.path.push(`${r.label}: ${notes.join(', ')}`);
    const domain = route.iface.subnet.net.domain;
    if (route.kind === 'connected') return this.deliver(domain, pkt);
    return this.nextHop(domain, route.nexthop!, pkt, `${r.label} ${route.text}`);
  }

  /** Source NAT on the way out of a gateway: a floating IP's address, else the gateway's (when SNAT is on). */
  private snat(r: RouterInfo, gatewayIp: number, pkt: Pkt): Pkt | undefined {
    const internal = r.ifaces.some((i) => i.kind === 'interface' && contains(i.subnet.prefix, pkt.src));
    if (!internal) return undefined;
    const fip = r.fips.find((f) => f.fixed === pkt.src);
    const to = fip ? fip.address : r.snat ? gatewayIp : undefined;
    if (to === undefined) return undefined;
    if (this.mode === 'reply') {
      this.asymmetric ??= `${ipText(pkt.src)}'s reply leaves ${r.label} by its gateway and would be source-NATed to ${ipText(to)}, not the address the request was sent to (asymmetric path)`;
      return undefined;
    }
    this.nats.push({ router: r, kind: 'snat', orig: pkt.src, xlated: to, undone: false });
    return { ...pkt, src: to };
  }
}

function portName(p: PortView): string {
  return p.name ? p.name : p.id;
}

function tableSummary(r: RouterInfo): string {
  const connected = r.table.filter((e) => e.kind === 'connected').map((e) => e.prefix.text);
  const extra = r.table.filter((e) => e.kind === 'extra').map((e) => `${e.prefix.text} via ${ipText(e.nexthop!)}`);
  const def = r.table.find((e) => e.kind === 'default');
  return [`connected: ${connected.join(', ') || 'none'}`, `extra routes: ${extra.join(', ') || 'none'}`, def ? def.text : 'no default route (no gateway)'].join('; ');
}

function hostStart(model: Model, region: string, ip: number, portId?: string): HostStart | string {
  const candidates: { port: PortView; subnet?: SubnetInfo }[] = [];
  for (const [, entry] of model.ports) {
    if (entry.region !== region) continue;
    if (portId !== undefined && entry.port.id !== portId) continue;
    const f = entry.port.fixed_ips.find((x) => v4(x.ip_address) === ip);
    if (!f) continue;
    const net = model.nets.get(`${region}/${entry.port.network_id}`);
    const subnet = net ? ((f.subnet_id ? net.subnets.find((s) => s.subnet.id === f.subnet_id) : undefined) ?? net.subnets.find((s) => contains(s.prefix, ip))) : undefined;
    candidates.push({ port: entry.port, subnet });
  }
  const hosts = candidates.filter((c) => isHostPort(c.port));
  const pick = hosts.length ? hosts : candidates;
  if (!pick.length) return `no port in ${region} holds ${ipText(ip)}${portId ? ` (port ${portId})` : ''}`;
  if (pick.length > 1) return `several ports in ${region} hold ${ipText(ip)} (${pick.map((c) => portName(c.port)).join(', ')}): pass from.portId`;
  const { port, subnet } = pick[0];
  if (!subnet) return `${region} port ${portName(port)} holds ${ipText(ip)} on no known IPv4 subnet`;
  return { region, port, ip, subnet };
}

function outsideDomain(model: Model, q: ReachQuery, dst: number): Domain | string {
  const from = q.from as Extract<ReachQuery['from'], { external: true }>;
  if (from.networkId !== undefined) {
    const nets = [...model.nets.values()].filter((n) => n.net.id === from.networkId && (from.region === undefined || n.region === from.region));
    if (!nets.length) return `no network ${from.networkId}${from.region ? ` in ${from.region}` : ''}`;
    const domains = [...new Set(nets.map((n) => n.domain))];
    if (domains.length > 1) return `network ${from.networkId} exists in several pods on different L2 domains: pass from.region`;
    return domains[0];
  }
  let candidates = [...model.nets.values()].filter((n) => n.external);
  if (from.region !== undefined) candidates = candidates.filter((n) => n.region === from.region);
  if (from.cidr !== undefined) {
    candidates = candidates.filter((n) => n.subnets.some((s) => s.prefix.text === from.cidr || s.subnet.cidr === from.cidr));
    if (!candidates.length) return `no external network has a subnet ${from.cidr}`;
  } else {
    candidates = candidates.filter((n) => isUpstreamDomain(n.domain) && n.subnets.some((s) => contains(s.prefix, dst)));
    if (!candidates.length) return `no external network leading outside the cloud has a subnet containing ${ipText(dst)}`;
  }
  const domains = [...new Set(candidates.map((n) => n.domain))];
  if (domains.length > 1) return `several external L2 domains fit (${domains.map((d) => d.label).join('; ')}): pass from.networkId`;
  return domains[0];
}

/**
 * Can a packet from `q.from` reach `q.to`? Walks it hop by hop, then (unless `reply: false`) walks
 * the reply back, which must pass through every router that translated the request.
 */
export function canReach(input: Snapshot | Model, q: ReachQuery): ReachResult {
  const model = 'pods' in input ? buildModel(input) : input;
  if (isV6(q.to) || ('ip' in q.from && isV6(q.from.ip))) {
    return { ok: false, path: [], reason: 'IPv6 is not modelled (IPv4 only)' };
  }
  const dst = v4(q.to);
  if (dst === undefined) return { ok: false, path: [], reason: `${q.to} is not an IPv4 address` };
  const nats: Nat[] = [];
  let forward: Outcome;
  let walk: Walk;
  let replyTarget: Target;
  let src: number;
  let start: HostStart | undefined;
  if ('external' in q.from) {
    const d = outsideDomain(model, q, dst);
    if (typeof d === 'string') return { ok: false, path: [], reason: d };
    const client = v4(q.from.ip ?? DEFAULT_CLIENT);
    if (client === undefined) return { ok: false, path: [], reason: `${q.from.ip} is not an IPv4 address` };
    src = client;
    const onLink = subnetsContaining(d, client).length > 0;
    replyTarget = { kind: 'external', ip: client, domain: onLink ? d : undefined };
    walk = new Walk(model, 'forward', { kind: 'host', ip: dst }, nats);
    forward = walk.fromOutside(d, { src, dst });
  } else {
    const ip = v4(q.from.ip);
    if (ip === undefined) return { ok: false, path: [], reason: `${q.from.ip} is not an IPv4 address` };
    const s = hostStart(model, q.from.region, ip, q.from.portId);
    if (typeof s === 'string') return { ok: false, path: [], reason: s };
    start = s;
    src = ip;
    replyTarget = { kind: 'host', ip, portKey: `${s.region}/${s.port.id}` };
    walk = new Walk(model, 'forward', { kind: 'host', ip: dst }, nats);
    forward = walk.fromHost(s, { src, dst });
  }
  if (!forward.ok) return { ok: false, path: walk.path, reason: forward.reason };
  const host = forward.host!;
  const result: ReachResult = {
    ok: true,
    path: walk.path,
    sourceSeenAs: ipText(forward.pkt.src),
    deliveredTo: { region: host.region, portId: host.port.id, ip: ipText(host.ip) },
  };
  if (q.reply === false) return result;

  // The reply: from the destination VM back to the source's address as the destination saw it.
  const back = new Walk(model, 'reply', replyTarget, nats);
  const hostSubnet = hostStart(model, host.region, host.ip, host.port.id);
  if (typeof hostSubnet === 'string') return { ...result, ok: false, reason: `reply: ${hostSubnet}`, reply: { ok: false, path: [], reason: hostSubnet } };
  const out = back.fromHost(hostSubnet, { src: host.ip, dst: forward.pkt.src });
  let reply: WalkResult;
  if (!out.ok) {
    reply = { ok: false, path: back.path, reason: out.reason };
  } else {
    const pending = nats.filter((n) => !n.undone);
    if (back.asymmetric) {
      reply = { ok: false, path: back.path, reason: `reply: ${back.asymmetric}` };
    } else if (pending.length) {
      const n = pending[0];
      reply = {
        ok: false,
        path: back.path,
        reason: `reply: the reply bypassed ${n.router.label}, which ${n.kind === 'dnat' ? 'DNATed' : 'SNATed'} the request (${ipText(n.orig)} → ${ipText(n.xlated)})`,
      };
    } else if (out.pkt.src !== dst) {
      reply = { ok: false, path: back.path, reason: `reply: the reply arrives from ${ipText(out.pkt.src)}, not from ${ipText(dst)}` };
    } else if (start && out.host && (out.host.port.id !== start.port.id || out.host.region !== start.region)) {
      reply = { ok: false, path: back.path, reason: `reply: the reply reached ${out.host.region} port ${portName(out.host.port)}, not the sender` };
    } else {
      reply = { ok: true, path: back.path };
    }
  }
  result.reply = reply;
  if (!reply.ok) {
    result.ok = false;
    result.reason = reply.reason;
  }
  return result;
}
