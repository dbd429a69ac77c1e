/**
 * One top router's copy in one pod: made once (named by the top id, routing row of type `router`),
 * then brought to the desired interfaces and gateway by comparing with what the pod has: extra
 * interfaces are removed, missing ones added, the gateway set, changed or cleared. Before anything is
 * taken away, the routes and the floating IPs that depend on it are cleared (the pod would refuse the
 * removal otherwise); the routes are set again afterwards and the floating IPs by their own jobs.
 */
import type { BottomFloatingIp, BottomPort, BottomRouter } from '../../bottom/index.js';
import { cidrContains, parseCidr, parseIp } from '../../network/index.js';
import { bottomName } from '../prepare/index.js';
import { RT_FLOATINGIP, RT_ROUTER } from './names.js';
import { ROUTER_GATEWAY_OWNER, ROUTER_INTERFACE_OWNERS, type BottomGateway, type PodL3 } from './podNeutron.js';
import type { L3Tools } from './tools.js';

/** An attachment resolved to the pod: a subnet copy (Neutron takes its gateway address), or a port copy. */
export type PodAttachment =
  | { kind: 'subnet'; bottomSubnetId: string }
  | {
      kind: 'port';
      /** The top port whose copy this is (the copy is named by it). */
      topPortId: string;
      /** Makes (or finds) the copy and returns its id; called only when the router lacks it. */
      ensure(): Promise<string>;
    };

export interface DesiredGateway {
  networkId: string;
  enableSnat: boolean;
  fixedIps: { subnet_id: string; ip_address: string }[];
}

export interface PodRouterTarget {
  routerId: string;
  projectId: string;
  adminStateUp: boolean;
  attachments: PodAttachment[];
  gateway: DesiredGateway | null;
}

/** The router's copy in the pod (made on first use through the routing lock). */
export async function ensureBottomRouter(tools: L3Tools, neutron: PodL3, target: Pick<PodRouterTarget, 'routerId' | 'projectId' | 'adminStateUp'>): Promise<string> {
  const name = bottomName(target.routerId);
  const result = await tools.lock.getOrCreateBottom({
    topId: target.routerId,
    podId: neutron.pod.id,
    projectId: target.projectId,
    resourceType: RT_ROUTER,
    create: async () => {
      const [leftover, ...extra] = await neutron.routersNamed(name);
      for (const r of extra) await neutron.deleteRouter(r.id).catch((err: unknown) => tools.logger.warn({ err, routerId: r.id }, 'could not remove a duplicate router copy'));
      if (leftover) return leftover.id;
      return (await neutron.createRouter({ name, project_id: target.projectId, admin_state_up: target.adminStateUp })).id;
    },
    findByName: async () => (await neutron.routersNamed(name))[0]?.id,
    discard: (id) => neutron.deleteRouter(id),
  });
  return result.bottomId;
}

const gatewayOf = (router: BottomRouter): BottomGateway | null => {
  const info = router.external_gateway_info as BottomGateway | null | undefined;
  return info?.network_id ? info : null;
};

const ipSet = (ips: { ip_address: string }[] | undefined) => new Set((ips ?? []).map((f) => String(parseIp(f.ip_address)?.value ?? f.ip_address)));

function gatewayDiffers(actual: BottomGateway, desired: DesiredGateway): boolean {
  if ((actual.enable_snat ?? true) !== desired.enableSnat) return true;
  const a = ipSet(actual.external_fixed_ips);
  const d = ipSet(desired.fixedIps);
  return a.size !== d.size || [...d].some((ip) => !a.has(ip));
}

/** Deletes bottom floating IPs and the routing rows that point at them. */
export async function dropBottomFloatingIps(tools: L3Tools, neutron: PodL3, fips: BottomFloatingIp[]): Promise<void> {
  for (const fip of fips) {
    await neutron.deleteFloatingIp(fip.id);
    await tools.routings.deleteByBottom(RT_FLOATINGIP, neutron.pod.id, fip.id);
  }
}

/** Removes interface ports from a router; the routing rows of port copies among them go too. */
async function removeInterfaces(tools: L3Tools, neutron: PodL3, routerId: string, ports: BottomPort[]): Promise<void> {
  for (const port of ports) {
    await neutron.removeInterface(routerId, { port_id: port.id });
    await tools.routings.deleteByBottom('port', neutron.pod.id, port.id);
  }
}

/** Brings the router's copy in the pod to `target`. Returns the copy's id. */
export async function reconcilePodRouter(tools: L3Tools, neutron: PodL3, target: PodRouterTarget): Promise<string> {
  const routerId = await ensureBottomRouter(tools, neutron, target);
  let router = await neutron.getRouter(routerId);
  if (!router) throw new Error(`router ${routerId} (copy of ${target.routerId}) vanished from pod ${neutron.pod.regionName}`);
  if (router.admin_state_up !== target.adminStateUp) router = await neutron.updateRouter(routerId, { admin_state_up: target.adminStateUp });

  const ports = await neutron.routerPorts(routerId);
  const interfaces = ports.filter((p) => ROUTER_INTERFACE_OWNERS.includes(p.device_owner));
  const wantedSubnets = new Set(target.attachments.flatMap((a) => (a.kind === 'subnet' ? [a.bottomSubnetId] : [])));
  const wantedCopies = new Set(target.attachments.flatMap((a) => (a.kind === 'port' ? [a.topPortId] : [])));
  const haveSubnets = new Set<string>();
  const haveCopies = new Set<string>();
  const extra: BottomPort[] = [];
  for (const port of interfaces) {
    const name = port.name ?? '';
    if (name !== '' && wantedCopies.has(name) && !haveCopies.has(name)) {
      haveCopies.add(name);
    } else if (name === '' && port.fixed_ips.length > 0 && port.fixed_ips.every((f) => wantedSubnets.has(f.subnet_id) && !haveSubnets.has(f.subnet_id))) {
      for (const f of port.fixed_ips) haveSubnets.add(f.subnet_id);
    } else {
      extra.push(port);
    }
  }

  const actualGateway = gatewayOf(router);
  const desired = target.gateway;
  const gatewayMoves = (actualGateway?.network_id ?? null) !== (desired?.networkId ?? null);
  const gatewayChanges = !gatewayMoves && desired !== null && actualGateway !== null && gatewayDiffers(actualGateway, desired);

  if (extra.length > 0 || (gatewayMoves && actualGateway !== null)) {
    // What depends on the parts about to go: floating IPs through this router, and routes.
    const fips = await neutron.floatingIps({ router_id: routerId });
    let doomed: BottomFloatingIp[];
    if (gatewayMoves) {
      doomed = fips;
    } else {
      const cidrs = (await neutron.subnets([...new Set(extra.flatMap((p) => p.fixed_ips.map((f) => f.subnet_id)))])).map((s) => parseCidr(s.cidr)).filter((c) => c !== undefined);
      doomed = fips.filter((f) => {
        const ip = parseIp(f.fixed_ip_address ?? '');
        return ip !== undefined && cidrs.some((c) => c.version === ip.version && cidrContains(c, ip.value));
      });
    }
    await dropBottomFloatingIps(tools, neutron, doomed);
    if ((router.routes ?? []).length > 0) await neutron.setRoutes(routerId, []);
    await removeInterfaces(tools, neutron, routerId, extra);
    if (gatewayMoves && actualGateway !== null) await neutron.setGateway(routerId, null);
  }

  if (desired !== null && (gatewayMoves || gatewayChanges)) {
    await neutron.setGateway(routerId, { network_id: desired.networkId, enable_snat: desired.enableSnat, external_fixed_ips: desired.fixedIps });
  }

  for (const a of target.attachments) {
    if (a.kind === 'port') {
      if (haveCopies.has(a.topPortId)) continue;
      const portId = await a.ensure();
      const port = await neutron.getPort(portId);
      if (port && port.device_id === routerId && ROUTER_INTERFACE_OWNERS.includes(port.device_owner)) continue;
      await neutron.addInterface(routerId, { port_id: portId });
      haveCopies.add(a.topPortId);
    } else if (!haveSubnets.has(a.bottomSubnetId)) {
      await neutron.addInterface(routerId, { subnet_id: a.bottomSubnetId });
      haveSubnets.add(a.bottomSubnetId);
    }
  }
  return routerId;
}

/**
 * Takes a router's copy out of a pod: its floating IPs, routes, interfaces (port copies deleted by
 * the pod with them) and gateway, then the router and its routing row.
 */
export async function removePodRouter(tools: L3Tools, neutron: PodL3, topRouterId: string, bottomId: string): Promise<void> {
  const router = await neutron.getRouter(bottomId);
  if (router) {
    await dropBottomFloatingIps(tools, neutron, await neutron.floatingIps({ router_id: bottomId }));
    if ((router.routes ?? []).length > 0) await neutron.setRoutes(bottomId, []);
    const ports = await neutron.routerPorts(bottomId);
    await removeInterfaces(
      tools,
      neutron,
      bottomId,
      ports.filter((p) => ROUTER_INTERFACE_OWNERS.includes(p.device_owner)),
    );
    if (gatewayOf(router) || ports.some((p) => p.device_owner === ROUTER_GATEWAY_OWNER)) await neutron.setGateway(bottomId, null);
    await neutron.deleteRouter(bottomId);
  }
  await tools.routings.deleteByTop(RT_ROUTER, [topRouterId], { podId: neutron.pod.id });
}
