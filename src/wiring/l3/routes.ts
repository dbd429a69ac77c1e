/**
 * Extra routes of a top router's copies. Pure.
 *
 * Each copy ("site") is on the project's east-west bridge at one address. A copy reaches a subnet
 * attached in another pod through that pod's copy: one route per subnet CIDR, next hop the other
 * copy's bridge address. A CIDR the copy has attached itself is not routed (a vlan network present
 * in both pods is one L2 segment: the local interface reaches it). When several other copies have
 * the same CIDR, the first pod (by id) is the next hop. The top router's own routes are kept on
 * every copy that has their next hop on an attached subnet. (North-south needs no extra route: see
 * routerSetup.ts.)
 */
import { cidrContains, formatCidr, parseCidr, parseIp } from '../../network/index.js';

export interface Route {
  destination: string;
  nexthop: string;
}

export interface RouteSite {
  podId: string;
  /** The copy's address on the bridge; null when it is not on it. */
  bridgeIp: string | null;
  /** CIDRs of the subnets attached to this copy. */
  cidrs: string[];
}

export interface RouteInput {
  sites: RouteSite[];
  /** The top router's own routes. */
  userRoutes: Route[];
  /** Most routes a router takes (Neutron's max_routes); default 30. */
  maxRoutes?: number;
}

export interface RouteResult {
  /** Sorted by destination, then nexthop. */
  routes: Map<string, Route[]>;
  /** Routes left out because a copy would exceed maxRoutes. */
  dropped: Map<string, Route[]>;
}

const canonical = (cidr: string): string | undefined => {
  const c = parseCidr(cidr);
  return c ? formatCidr(c) : undefined;
};

const byPodId = (a: RouteSite, b: RouteSite) => (a.podId < b.podId ? -1 : a.podId > b.podId ? 1 : 0);

export function sortRoutes(routes: Route[]): Route[] {
  return [...routes].sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : a.nexthop < b.nexthop ? -1 : a.nexthop > b.nexthop ? 1 : 0));
}

export function sameRoutes(a: Route[], b: Route[]): boolean {
  if (a.length !== b.length) return false;
  const key = (r: Route) => `${canonical(r.destination) ?? r.destination}|${parseIp(r.nexthop)?.value ?? r.nexthop}`;
  const set = new Set(a.map(key));
  return b.every((r) => set.has(key(r)));
}

export function computeExtraRoutes(input: RouteInput): RouteResult {
  const max = input.maxRoutes ?? 30;
  const sites = [...input.sites].sort(byPodId);
  const routes = new Map<string, Route[]>();
  const dropped = new Map<string, Route[]>();
  for (const site of sites) {
    const local = new Set(site.cidrs.map(canonical).filter((c): c is string => c !== undefined));
    const out: Route[] = [];
    const destinations = new Set<string>();
    const add = (r: Route) => {
      if (out.some((o) => o.destination === r.destination && o.nexthop === r.nexthop)) return;
      out.push(r);
      destinations.add(r.destination);
    };
    if (site.bridgeIp !== null) {
      for (const other of sites) {
        if (other === site || other.bridgeIp === null) continue;
        for (const raw of other.cidrs) {
          const cidr = canonical(raw);
          if (cidr === undefined || parseCidr(cidr)!.version !== 4 || local.has(cidr) || destinations.has(cidr)) continue;
          add({ destination: cidr, nexthop: other.bridgeIp });
        }
      }
    }
    const attached = site.cidrs.map((c) => parseCidr(c)).filter((c) => c !== undefined);
    for (const r of input.userRoutes) {
      const hop = parseIp(r.nexthop);
      if (hop && attached.some((c) => c.version === hop.version && cidrContains(c, hop.value))) add(r);
    }
    routes.set(site.podId, sortRoutes(out.slice(0, max)));
    if (out.length > max) dropped.set(site.podId, out.slice(max));
  }
  return { routes, dropped };
}
