/**
 * What the reconciler compares: the top intent of one project (routers, floating IPs, the routing
 * rows that say where their pieces live) and what the pods hold, read with the service account.
 */
import type { BottomFloatingIp, BottomPort, BottomRouter, BottomSubnet } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';

export interface Route {
  destination: string;
  nexthop: string;
}

export interface TopRouterInterface {
  portId: string;
  networkId: string;
  subnetIds: string[];
}

export interface TopRouter {
  id: string;
  projectId: string;
  /** The external network of the gateway, or null. */
  gatewayNetworkId: string | null;
  interfaces: TopRouterInterface[];
  routes: Route[];
}

export interface TopFloatingIp {
  id: string;
  projectId: string;
  networkId: string;
  address: string;
  /** The associated internal port, or null. */
  fixedPortId: string | null;
  routerId: string | null;
}

/** One routing row, as the reconciler reads it (RoutingTable.routesOfProject). */
export interface RouteRow {
  id: number;
  topId: string;
  bottomId: string | null;
  podId: string;
  projectId: string;
  type: string;
  updatedAt: number;
}

/** Routing rows by (type, top id, pod) and by (type, pod, bottom id). */
export class RouteIndex {
  private readonly byTop = new Map<string, RouteRow>();
  private readonly byBottom = new Map<string, RouteRow>();

  constructor(rows: RouteRow[]) {
    for (const r of rows) this.add(r);
  }

  add(r: RouteRow): void {
    this.byTop.set(`${r.type}|${r.topId}|${r.podId}`, r);
    if (r.bottomId !== null) this.byBottom.set(`${r.type}|${r.podId}|${r.bottomId}`, r);
  }

  remove(r: RouteRow): void {
    this.byTop.delete(`${r.type}|${r.topId}|${r.podId}`);
    if (r.bottomId !== null) this.byBottom.delete(`${r.type}|${r.podId}|${r.bottomId}`);
  }

  /** The bottom id of a top object's copy in a pod (complete rows only). */
  bottomOf(type: string, topId: string, podId: string): string | undefined {
    return this.byTop.get(`${type}|${topId}|${podId}`)?.bottomId ?? undefined;
  }

  topOf(type: string, podId: string, bottomId: string): string | undefined {
    return this.byBottom.get(`${type}|${podId}|${bottomId}`)?.topId;
  }

  /** Complete rows of a top object, all pods. */
  copiesOf(type: string, topId: string): RouteRow[] {
    return this.all().filter((r) => r.type === type && r.topId === topId && r.bottomId !== null);
  }

  all(): RouteRow[] {
    return [...this.byTop.values()];
  }
}

/** One pod as the reconciler read it. `error` set: the pod could not be read, and nothing is judged there. */
export interface PodView {
  pod: Pod;
  error?: string;
  /** Bottom routers that exist, by id. */
  routers: Map<string, BottomRouter>;
  /** Ports whose device is one of those routers. */
  routerPorts: BottomPort[];
  /** Copies (network, subnet, port, router, floatingip) whose bottom object was looked up and not found: type → ids. */
  missing: Map<string, Set<string>>;
  /** Subnets of the routers' interfaces (and bridge subnets), by id. */
  subnets: Map<string, BottomSubnet>;
  /** Ports on the routers' tenant subnets (VMs among them). */
  tenantPorts: BottomPort[];
  floatingIps: BottomFloatingIp[];
}

/** One thing found out of line, and what repairs it. */
export interface Finding {
  /** What repairs it: a job to request, or a direct action the reconciler took. */
  repair: 'router_setup' | 'fip_setup' | 'external_network' | 'removed';
  /** The top id the repair concerns (router, floating IP, external network) or the removed object. */
  id: string;
  reason: string;
}
