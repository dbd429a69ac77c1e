/** Reads what one pod holds of a project's routers, floating IPs and routed copies (service account). */
import type { BottomCallContext, BottomFloatingIp, BottomPort, BottomRouter, BottomSubnet, NeutronApi, Query } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import type { PodView, RouteRow } from './model.js';

const ADMIN = { asAdmin: true } as const;
const CHUNK = 40;

export type PodNeutron = Pick<NeutronApi, 'listRouters' | 'listPorts' | 'listSubnets' | 'listNetworks' | 'listFloatingIps'>;

/** Lists with a repeated filter, `CHUNK` values per request. */
async function listBy<T>(list: (q: Query) => Promise<T[]>, key: string, values: string[], extra: Query = {}): Promise<T[]> {
  const unique = [...new Set(values)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += CHUNK) out.push(...(await list({ ...(extra as Record<string, string>), [key]: unique.slice(i, i + CHUNK) })));
  return out;
}

export interface PodReadRequest {
  pod: Pod;
  /** Complete routing rows in this pod the reconciler looks after. */
  rows: RouteRow[];
  /** Copies of external networks here, whose floating IPs are read. */
  externalCopies: string[];
  /** Bottom ports whose floating IPs are read (second hops of two-hop floating IPs). */
  fipPorts: string[];
}

/** One pod's view; a pod that cannot be read gives a view with `error` set. */
export async function readPod(neutron: PodNeutron, ctx: BottomCallContext, req: PodReadRequest): Promise<PodView> {
  const view: PodView = { pod: req.pod, routers: new Map(), routerPorts: [], missing: new Map(), subnets: new Map(), tenantPorts: [], floatingIps: [] };
  const idsOf = (type: string) => req.rows.filter((r) => r.type === type && r.bottomId !== null).map((r) => r.bottomId!);
  const markMissing = (type: string, wanted: string[], found: { id: string }[]) => {
    const have = new Set(found.map((o) => o.id));
    const gone = new Set(wanted.filter((id) => !have.has(id)));
    if (gone.size) view.missing.set(type, gone);
  };
  try {
    const routerIds = idsOf('router');
    const [routers, networks, subnets, ports, fips] = await Promise.all([
      listBy<BottomRouter>((q) => neutron.listRouters(ctx, q, ADMIN), 'id', routerIds),
      listBy<{ id: string }>((q) => neutron.listNetworks(ctx, q, ADMIN), 'id', idsOf('network')),
      listBy<BottomSubnet>((q) => neutron.listSubnets(ctx, q, ADMIN), 'id', idsOf('subnet')),
      listBy<BottomPort>((q) => neutron.listPorts(ctx, q, ADMIN), 'id', idsOf('port')),
      listBy<BottomFloatingIp>((q) => neutron.listFloatingIps(ctx, q, ADMIN), 'id', idsOf('floatingip')),
    ]);
    markMissing('router', routerIds, routers);
    markMissing('network', idsOf('network'), networks);
    markMissing('subnet', idsOf('subnet'), subnets);
    markMissing('port', idsOf('port'), ports);
    markMissing('floatingip', idsOf('floatingip'), fips);
    for (const r of routers) view.routers.set(r.id, r);
    for (const s of subnets) view.subnets.set(s.id, s);

    view.routerPorts = await listBy<BottomPort>((q) => neutron.listPorts(ctx, q, ADMIN), 'device_id', [...view.routers.keys()]);
    const interfaceSubnets = view.routerPorts.flatMap((p) => p.fixed_ips.map((f) => f.subnet_id)).filter((id) => !view.subnets.has(id));
    for (const s of await listBy<BottomSubnet>((q) => neutron.listSubnets(ctx, q, ADMIN), 'id', interfaceSubnets)) view.subnets.set(s.id, s);
    const interfaceNetworks = view.routerPorts.filter((p) => p.device_owner.startsWith('network:router_interface')).map((p) => p.network_id);
    view.tenantPorts = await listBy<BottomPort>((q) => neutron.listPorts(ctx, q, ADMIN), 'network_id', interfaceNetworks);

    const byId = new Map<string, BottomFloatingIp>(fips.map((f) => [f.id, f]));
    for (const f of await listBy<BottomFloatingIp>((q) => neutron.listFloatingIps(ctx, q, ADMIN), 'floating_network_id', req.externalCopies)) byId.set(f.id, f);
    for (const f of await listBy<BottomFloatingIp>((q) => neutron.listFloatingIps(ctx, q, ADMIN), 'port_id', req.fipPorts)) byId.set(f.id, f);
    view.floatingIps = [...byId.values()];
  } catch (err) {
    view.error = err instanceof Error ? err.message : String(err);
  }
  return view;
}
