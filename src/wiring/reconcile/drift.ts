/**
 * Pure drift checks: given a project's top routers and floating IPs, the routing rows and the pods
 * as read, which routers and floating IPs are not (or no longer) as the top says. They judge only
 * what any correct pod side must show, whatever its route scheme (per-CIDR or per-VM routes):
 *
 * - every pod holding a network of a router's interfaces, and the external network's pod when the
 *   router has a gateway, has the bottom router;
 * - the bottom router has an interface on the copy of each top interface subnet in its pod, and none
 *   on a tenant subnet the top router no longer has;
 * - in the external network's pod the bottom router's gateway is on the external network's copy;
 * - with bottom routers in several pods, each pair shares a bridge subnet (as an interface, or as the
 *   gateway of a router outside the external pod), and every VM address
 *   behind one router is reached from the other by an extra route via its bridge address (or is on a
 *   subnet the other router is connected to);
 * - an associated floating IP has its bottom floating IP with the same address, bound, in the
 *   external network's pod, and, when the VM lives in another pod, a floating IP bound to the VM's
 *   port there; a disassociated one is bound nowhere.
 */
import type { BottomPort } from '../../bottom/index.js';
import { cidrContains, parseCidr, parseIp, rangesOverlap, type Cidr } from '../../network/index.js';
import type { Finding, PodView, RouteIndex, TopFloatingIp, TopRouter } from './model.js';

export interface DriftInput {
  routers: TopRouter[];
  floatingIps: TopFloatingIp[];
  routes: RouteIndex;
  pods: Map<string, PodView>;
  /** External network id → the pod (id) that hosts it. */
  externalPods: Map<string, string>;
  /** Where bridge subnets are carved from ([tricircle] bridge_cidr). */
  bridgeCidr: Cidr;
  /** Top subnets of bridge networks (whatever their CIDR); their copies never count as tenant interfaces. */
  bridgeSubnets: Set<string>;
}

const INTERFACE_OWNERS = /^network:(router_interface|router_interface_distributed|ha_router_replicated_interface)$/;
const isInterface = (p: BottomPort) => INTERFACE_OWNERS.test(p.device_owner);
const isVm = (p: BottomPort) => p.device_owner.startsWith('compute:');

function inCidr(cidr: Cidr, ip: string): boolean {
  const v = parseIp(ip);
  return v !== undefined && v.version === cidr.version && cidrContains(cidr, v.value);
}

/** Pods (ids) where a router should have a bottom router. */
export function expectedRouterPods(router: TopRouter, input: Pick<DriftInput, 'routes' | 'externalPods'>): Set<string> {
  const pods = new Set<string>();
  for (const itf of router.interfaces) for (const r of input.routes.copiesOf('network', itf.networkId)) pods.add(r.podId);
  if (router.gatewayNetworkId) {
    const ext = input.externalPods.get(router.gatewayNetworkId);
    if (ext) pods.add(ext);
  }
  for (const r of input.routes.copiesOf('router', router.id)) pods.add(r.podId);
  return pods;
}

interface BottomRouterState {
  podId: string;
  bottomId: string;
  /** Interface addresses (and a gateway address on a bridge), with their subnet's CIDR and whether it is a bridge subnet. */
  interfaces: { subnetId: string; ip: string; cidr: Cidr | undefined; bridge: boolean }[];
}

function bottomRouterState(view: PodView, bottomId: string, input: DriftInput): BottomRouterState {
  const interfaces: BottomRouterState['interfaces'] = [];
  for (const p of view.routerPorts) {
    const gateway = p.device_owner === 'network:router_gateway';
    if (p.device_id !== bottomId || !(isInterface(p) || gateway)) continue;
    for (const f of p.fixed_ips) {
      const subnet = view.subnets.get(f.subnet_id);
      const cidr = subnet ? parseCidr(subnet.cidr) : undefined;
      const top = input.routes.topOf('subnet', view.pod.id, f.subnet_id);
      const bridge =
        (top !== undefined && input.bridgeSubnets.has(top)) || (cidr !== undefined && cidr.version === input.bridgeCidr.version && rangesOverlap(cidr, input.bridgeCidr));
      // A gateway counts only on a bridge (a router outside the external pod meets the others there).
      if (gateway && !bridge) continue;
      interfaces.push({ subnetId: f.subnet_id, ip: f.ip_address, cidr, bridge });
    }
  }
  return { podId: view.pod.id, bottomId, interfaces };
}

/** Routers whose pods differ from the top, each with the first reason found. */
export function routerDrift(input: DriftInput): Finding[] {
  const out: Finding[] = [];
  for (const router of input.routers) {
    const reason = oneRouter(router, input);
    if (reason) out.push({ repair: 'router_setup', id: router.id, reason });
  }
  return out;
}

function oneRouter(router: TopRouter, input: DriftInput): string | undefined {
  const states: BottomRouterState[] = [];
  for (const podId of expectedRouterPods(router, input)) {
    const view = input.pods.get(podId);
    if (!view || view.error) continue; // an unreadable pod is judged next time
    const where = view.pod.regionName;
    const bottomId = input.routes.bottomOf('router', router.id, podId);
    if (!bottomId || !view.routers.has(bottomId)) return `no bottom router in ${where}`;
    const state = bottomRouterState(view, bottomId, input);
    states.push(state);

    // Interfaces on the copies of the top interface subnets in this pod.
    const wanted = new Set<string>();
    for (const itf of router.interfaces) {
      for (const subnetId of itf.subnetIds) {
        const copy = input.routes.bottomOf('subnet', subnetId, podId);
        if (copy === undefined) continue;
        wanted.add(copy);
        if (!state.interfaces.some((i) => i.subnetId === copy)) return `the bottom router in ${where} has no interface on subnet ${subnetId}`;
      }
    }
    for (const i of state.interfaces) {
      if (wanted.has(i.subnetId) || i.bridge) continue;
      const top = input.routes.topOf('subnet', podId, i.subnetId);
      if (top !== undefined) return `the bottom router in ${where} still has an interface on subnet ${top}, which the top router does not`;
    }

    // The gateway, in the external network's pod.
    if (router.gatewayNetworkId && input.externalPods.get(router.gatewayNetworkId) === podId) {
      const extCopy = input.routes.bottomOf('network', router.gatewayNetworkId, podId);
      const gw = view.routers.get(bottomId)!.external_gateway_info as { network_id?: string } | null | undefined;
      if (!extCopy) return `external network ${router.gatewayNetworkId} has no copy in ${where}`;
      if (gw?.network_id !== extCopy) return `the bottom router in ${where} has no gateway on external network ${router.gatewayNetworkId}`;
    }
  }
  if (states.length < 2) return undefined;
  return routeDrift(router, states, input);
}

/** East-west: bridges between every pair of bottom routers, and extra routes to every VM behind the other. */
function routeDrift(router: TopRouter, states: BottomRouterState[], input: DriftInput): string | undefined {
  for (const a of states) {
    const viewA = input.pods.get(a.podId)!;
    const routes = viewA.routers.get(a.bottomId)!.routes ?? [];
    const connected = a.interfaces.map((i) => i.cidr).filter((c): c is Cidr => c !== undefined);
    for (const b of states) {
      if (a === b) continue;
      const viewB = input.pods.get(b.podId)!;
      // b's addresses on the bridges a is on too (east-west; north-south for a router outside the external pod).
      const bridgeIps = new Set(
        b.interfaces
          .filter((ib) => ib.bridge && a.interfaces.some((ia) => ia.bridge && ia.cidr && ib.cidr && ia.cidr.first === ib.cidr.first && ia.cidr.last === ib.cidr.last))
          .map((ib) => ib.ip),
      );
      if (bridgeIps.size === 0) return `no bridge between the bottom routers in ${viewA.pod.regionName} and ${viewB.pod.regionName}`;
      const via = [...bridgeIps].join(' or ');
      const tenantSubnets = new Set(b.interfaces.filter((i) => !i.bridge).map((i) => i.subnetId));
      for (const port of viewB.tenantPorts) {
        if (!isVm(port)) continue;
        for (const f of port.fixed_ips) {
          if (!tenantSubnets.has(f.subnet_id)) continue;
          if (connected.some((c) => inCidr(c, f.ip_address))) continue;
          const covered = routes.some(
            (r) =>
              bridgeIps.has(r.nexthop) &&
              (() => {
                const d = parseCidr(r.destination);
                return d !== undefined && inCidr(d, f.ip_address);
              })(),
          );
          if (!covered) return `the bottom router in ${viewA.pod.regionName} has no route to ${f.ip_address} (in ${viewB.pod.regionName}) via ${via}`;
        }
      }
      // A route via this bridge address must lead to something behind the router there.
      const behind = b.interfaces
        .filter((i) => !i.bridge)
        .map((i) => i.cidr)
        .filter((c): c is Cidr => c !== undefined);
      for (const r of routes) {
        if (!bridgeIps.has(r.nexthop)) continue;
        const d = parseCidr(r.destination);
        if (d && !behind.some((c) => c.version === d.version && rangesOverlap(c, d))) {
          if (router.routes.some((t) => t.destination === r.destination && t.nexthop === r.nexthop)) continue;
          return `the bottom router in ${viewA.pod.regionName} has a stale route to ${r.destination} via ${r.nexthop}`;
        }
      }
    }
  }
  return undefined;
}

/** Floating IPs whose pods differ from the top. */
export function floatingIpDrift(input: DriftInput): Finding[] {
  const out: Finding[] = [];
  for (const fip of input.floatingIps) {
    const reason = oneFloatingIp(fip, input);
    if (reason) out.push({ repair: 'fip_setup', id: fip.id, reason });
  }
  return out;
}

function oneFloatingIp(fip: TopFloatingIp, input: DriftInput): string | undefined {
  const extPodId = input.externalPods.get(fip.networkId);
  if (!extPodId) return undefined;
  const ext = input.pods.get(extPodId);
  if (!ext || ext.error) return undefined;
  const extCopy = input.routes.bottomOf('network', fip.networkId, extPodId);
  const outer = ext.floatingIps.filter((f) => f.floating_ip_address === fip.address && (extCopy === undefined || f.floating_network_id === extCopy));
  if (fip.fixedPortId === null) {
    if (outer.some((f) => f.port_id)) return `${fip.address} is still bound in ${ext.pod.regionName}`;
    return undefined;
  }
  // Where the VM's port lives; a port not yet in any pod (VM not booted) needs nothing yet.
  const portCopies = input.routes.copiesOf('port', fip.fixedPortId);
  if (portCopies.length === 0) return undefined;
  if (!extCopy) return `external network ${fip.networkId} has no copy in ${ext.pod.regionName}`;
  const bound = outer.filter((f) => f.port_id);
  if (bound.length === 0) return `no bound floating IP ${fip.address} in ${ext.pod.regionName}`;
  for (const copy of portCopies) {
    if (copy.podId === extPodId) {
      if (!bound.some((f) => f.port_id === copy.bottomId)) return `${fip.address} in ${ext.pod.regionName} is not bound to the VM's port`;
      continue;
    }
    const inner = input.pods.get(copy.podId);
    if (!inner || inner.error) continue;
    if (!inner.floatingIps.some((f) => f.port_id === copy.bottomId)) return `no floating IP bound to the VM's port in ${inner.pod.regionName} (second hop of ${fip.address})`;
  }
  return undefined;
}
