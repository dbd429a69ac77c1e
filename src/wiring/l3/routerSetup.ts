/**
 * `router_setup`: brings every pod to what the top says about one router (docs/l3.md).
 *
 * 1. Read the router (gone: take its copies out of every pod, then drop what only it used).
 * 2. Plan: which pods hold a copy, what each copy is attached to, whether bridges are needed.
 * 3. Take the copies out of pods that no longer need one.
 * 4. The bridges and the router's addresses on them (east-west when it spans pods, north-south when
 *    it also has a gateway).
 * 5. Per pod (in parallel): the networks and subnets of its attachments (made the way the boot path
 *    makes them), the bridge copies, the external network copy, then the router's copy itself.
 * 6. Extra routes on every copy that reconciled.
 * 7. Drop bridge addresses, subnets and copies nothing uses any more.
 * 8. Ask for `fip_setup` of the router's floating IPs (they depend on the copies).
 * A pod that failed fails the job after the other pods were done; the retry finishes it.
 */
import type { BottomCallContext } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';
import type { JobRequest } from '../../xjob/index.js';
import {
  bridgeAddress,
  BRIDGE_ROUTER_OWNER,
  EW_BRIDGE,
  FIP_SETUP_JOB,
  NS_BRIDGE,
  type BridgeKind,
  type NetworkWithSubnets,
  type Port,
  type RouterState,
  type TopBridge,
} from '../../network/index.js';
import { BottomNeutron, bottomName, ensureCopy, mappedAddresses, type PodNetwork } from '../prepare/index.js';
import { bridgePods, dropBridgeFromPodIfUnused, ensureBridgeInPod, retireRouterSubnet } from './bridge.js';
import { RT_ROUTER } from './names.js';
import { planRouter, type PodPlan } from './plan.js';
import { PodL3 } from './podNeutron.js';
import { reconcilePodRouter, removePodRouter, type DesiredGateway, type PodAttachment } from './podRouter.js';
import { computeExtraRoutes, sameRoutes, type RouteSite } from './routes.js';
import type { L3Tools } from './tools.js';

type TopRouter = RouterState;

export interface SetupContext {
  tools: L3Tools;
  ctx: BottomCallContext;
  signal: AbortSignal;
  submit(request: JobRequest): Promise<string>;
}

/** What one pod's copy came to, for the routes. */
interface PodOutcome {
  pod: Pod;
  bottomRouterId: string;
  site: RouteSite;
}

/** A bridge with the router's subnet on it and its reserved address in each pod of the plan. */
interface RouterBridge {
  bridge: TopBridge;
  ports: Map<string, Port>;
}

interface Bridges {
  ew: RouterBridge | undefined;
  ns: RouterBridge | undefined;
}

type Failures = { pod: string; err: unknown }[];

class PodFailures extends Error {
  constructor(readonly failures: Failures) {
    super(`router setup failed in ${failures.map((f) => `${f.pod} (${f.err instanceof Error ? f.err.message : String(f.err)})`).join('; ')}`);
    this.name = 'PodFailures';
  }
}

const stopIfAborted = (signal: AbortSignal) => {
  if (signal.aborted) throw new Error('job aborted');
};

export async function setupRouter(sc: SetupContext, routerId: string, jobProjectId: string): Promise<void> {
  const { tools, ctx } = sc;
  const router = await tools.top.routers.get(routerId);
  const rows = await tools.routings.findByTop(routerId, RT_ROUTER);
  const projectId = router?.projectId ?? rows[0]?.projectId ?? jobProjectId;
  const failures: Failures = [];
  const touchedPods = new Set(rows.map((r) => r.podId));

  if (!router) {
    await removeCopies(sc, routerId, rows, () => true, failures);
    if (failures.length) throw new PodFailures(failures);
    await dropBridgeUse(sc, projectId, routerId, { ew: () => true, ns: () => true }, touchedPods);
    return;
  }

  // The plan.
  const networkIds = [...new Set(router.interfaces.map((i) => i.networkId))];
  const [pods, nets] = await Promise.all([tools.routings.podsOfCopies('network', networkIds), tools.top.networks.withSubnets(networkIds)]);
  const subnetGateways = new Map<string, string | null>();
  for (const { subnets } of nets.values()) for (const s of subnets) subnetGateways.set(s.id, s.gatewayIp);
  const externalPod = await gatewayPod(sc, router);
  const plan = planRouter({ interfaces: router.interfaces, subnetGateways, networkPods: pods, externalPodId: externalPod?.id ?? null });
  const wanted = new Set(plan.pods.map((p) => p.podId));
  for (const p of wanted) touchedPods.add(p);

  // Copies no longer needed.
  await removeCopies(sc, routerId, rows, (podId) => !wanted.has(podId), failures);
  stopIfAborted(sc.signal);

  // The bridges and this router's addresses on them.
  const bridges: Bridges = { ew: undefined, ns: undefined };
  if (plan.needsBridge) {
    bridges.ew = await withAddresses(sc, projectId, EW_BRIDGE, routerId, plan.pods);
    if (plan.externalPodId !== null) {
      bridges.ns = await withAddresses(sc, projectId, NS_BRIDGE, routerId, plan.pods);
      // One L2 segment shows the same subnets in every pod: pods where only other routers of the
      // project use the north-south bridge get this router's subnet too.
      for (const podId of await bridgePods(tools, bridges.ns.bridge.network.id)) {
        if (wanted.has(podId)) continue;
        try {
          await ensureBridgeInPod(tools, ctx, await tools.pods.get(podId), NS_BRIDGE, bridges.ns.bridge.network, projectId);
        } catch (err) {
          failures.push({ pod: podId, err });
        }
      }
    }
  }

  // Each pod.
  const outcomes: PodOutcome[] = [];
  await Promise.all(
    plan.pods.map(async (podPlan) => {
      try {
        outcomes.push(await setupPod(sc, router, podPlan, nets, bridges));
      } catch (err) {
        failures.push({ pod: podPlan.podId, err });
        tools.logger.warn({ err, routerId, podId: podPlan.podId }, 'router setup failed in a pod');
      }
    }),
  );
  stopIfAborted(sc.signal);

  // Routes. North-south needs none: the copies outside the external pod have their gateway on the
  // router's north-south subnet, whose gateway address is the external copy.
  const { routes, dropped } = computeExtraRoutes({ sites: outcomes.map((o) => o.site), userRoutes: router.routes });
  for (const [podId, lost] of dropped) tools.logger.warn({ routerId, podId, routes: lost }, 'more extra routes than a router takes; some were left out');
  await Promise.all(
    outcomes.map(async (o) => {
      try {
        const neutron = new PodL3(o.pod, tools.neutron(o.pod), ctx);
        const current = (await neutron.getRouter(o.bottomRouterId))?.routes ?? [];
        const want = routes.get(o.pod.id) ?? [];
        if (!sameRoutes(current, want)) await neutron.setRoutes(o.bottomRouterId, want);
      } catch (err) {
        failures.push({ pod: o.pod.id, err });
      }
    }),
  );

  // Bridge addresses, subnets and copies nothing needs.
  if (failures.length === 0) {
    await dropBridgeUse(sc, projectId, routerId, { ew: (podId) => !bridges.ew || !wanted.has(podId), ns: (podId) => !bridges.ns || !wanted.has(podId) }, touchedPods);
  }

  // Follow-ups: the floating IPs through this router depend on its copies.
  const fips = await tools.top.floatingIps.ofRouter(routerId);
  for (const f of fips) await sc.submit({ type: FIP_SETUP_JOB, projectId: f.projectId, resourceId: f.id });

  if (failures.length) throw new PodFailures(failures);
}

/** The pod of the router's external network, when it has a gateway whose pod is known. */
async function gatewayPod(sc: SetupContext, router: TopRouter): Promise<Pod | undefined> {
  if (!router.gateway) return undefined;
  const network = await sc.tools.external.read(router.gateway.networkId);
  if (!network) return undefined;
  try {
    return await sc.tools.external.podOf(network);
  } catch (err) {
    sc.tools.logger.warn({ err, routerId: router.id, networkId: network.id }, 'the external network of a router gateway has no pod; north-south is left out');
    return undefined;
  }
}

async function removeCopies(
  sc: SetupContext,
  routerId: string,
  rows: { podId: string; bottomId: string | null }[],
  which: (podId: string) => boolean,
  failures: Failures,
): Promise<void> {
  await Promise.all(
    rows
      .filter((r) => which(r.podId))
      .map(async (r) => {
        try {
          const pod = await sc.tools.pods.find(r.podId);
          if (!pod) {
            await sc.tools.routings.deleteByTop(RT_ROUTER, [routerId], { podId: r.podId });
            return;
          }
          // A row without a bottom id is another run's claim in progress; its owner finishes or it expires.
          if (r.bottomId === null) return;
          await removePodRouter(sc.tools, new PodL3(pod, sc.tools.neutron(pod), sc.ctx), routerId, r.bottomId);
        } catch (err) {
          failures.push({ pod: r.podId, err });
          sc.tools.logger.warn({ err, routerId, podId: r.podId }, 'could not take a router copy out of a pod');
        }
      }),
  );
}

/**
 * Drops the router's addresses on the bridges in the pods `which` selects, its north-south subnet
 * when it holds no address any more, and whatever of the project's bridges nothing uses.
 */
async function dropBridgeUse(sc: SetupContext, projectId: string, routerId: string, which: Record<'ew' | 'ns', (podId: string) => boolean>, pods: Set<string>): Promise<void> {
  for (const kind of [EW_BRIDGE, NS_BRIDGE]) {
    const prefix = kind.routerKeyPrefix(routerId);
    const bridges = sc.tools.top.bridges;
    for (const port of await bridges.reservedPorts(prefix)) {
      if (which[kind.kind](port.reservedFor.slice(prefix.length))) await bridges.deletePort(port.id, sc.ctx);
    }
    await retireRouterSubnet(sc.tools, sc.ctx, projectId, kind, routerId);
    const network = await bridges.network(projectId, kind);
    if (!network) continue;
    for (const podId of new Set([...pods, ...(await bridgePods(sc.tools, network.id))])) await dropBridgeFromPodIfUnused(sc.tools, sc.ctx, podId, projectId, kind);
    await bridges.dropIfUnused(projectId, kind);
  }
}

async function withAddresses(sc: SetupContext, projectId: string, kind: BridgeKind, routerId: string, pods: PodPlan[]): Promise<RouterBridge> {
  const bridge = await sc.tools.top.bridges.ensure(projectId, kind, kind.subnetPerRouter ? routerId : projectId);
  const ports = new Map<string, Port>();
  for (const p of pods) ports.set(p.podId, await sc.tools.top.bridges.reservePort(bridge, kind.routerKey(routerId, p.podId), BRIDGE_ROUTER_OWNER));
  return { bridge, ports };
}

/** One pod: the copies the router's copy needs, then the router's copy. */
async function setupPod(sc: SetupContext, router: TopRouter, podPlan: PodPlan, nets: Map<string, NetworkWithSubnets>, bridges: Bridges): Promise<PodOutcome> {
  const { tools, ctx } = sc;
  const pod = await tools.pods.get(podPlan.podId);
  const neutron = new PodL3(pod, tools.neutron(pod), ctx);
  const attachments: PodAttachment[] = [];

  // Tenant networks and subnets: their copies exist (that is why the router is here), but subnets
  // added since the network was copied are made now, exactly as the boot path would.
  const copies = new Map<string, PodNetwork>();
  for (const networkId of new Set(podPlan.attachments.map((a) => a.networkId))) {
    const net = nets.get(networkId);
    if (!net) continue;
    copies.set(networkId, await tools.builder.ensure(ctx, pod, net.network, net.subnets));
  }
  const cidrs: string[] = [];
  for (const a of podPlan.attachments) {
    const copy = copies.get(a.networkId);
    if (!copy) continue;
    const subnets = nets.get(a.networkId)!.subnets;
    if (a.kind === 'subnet') {
      const bottomSubnetId = copy.subnets.get(a.subnetId);
      if (bottomSubnetId === undefined) continue;
      attachments.push({ kind: 'subnet', bottomSubnetId });
    } else {
      attachments.push({ kind: 'port', topPortId: a.portId, ensure: () => ensurePortCopy(tools, ctx, copy, a.portId) });
    }
    for (const id of a.kind === 'subnet' ? [a.subnetId] : a.subnetIds) {
      const s = subnets.find((x) => x.id === id);
      if (s) cidrs.push(s.cidr);
    }
  }

  // East-west: an interface on the bridge at the router's address for this pod.
  let bridgeIp: string | null = null;
  if (bridges.ew) {
    const { bridge, ports } = bridges.ew;
    const port = ports.get(pod.id)!;
    const copy = await ensureBridgeInPod(tools, ctx, pod, EW_BRIDGE, bridge.network, router.projectId);
    const subnetCopy = subnetCopyOf(copy.subnets, bridge, pod);
    bridgeIp = bridgeAddress(port);
    attachments.push({ kind: 'port', topPortId: port.id, ensure: () => ensureBridgePortCopy(tools, ctx, pod, copy.bottomNetworkId, subnetCopy, port, router.projectId) });
  }

  // North-south: the external copy holds the gateway address of the router's subnet (an interface);
  // the others have their gateway on that subnet (SNAT off: the external copy translates), so their
  // default route leads to the external copy. The external copy's gateway is the real one.
  let gateway: DesiredGateway | null = null;
  if (bridges.ns) {
    const { bridge, ports } = bridges.ns;
    const copy = await ensureBridgeInPod(tools, ctx, pod, NS_BRIDGE, bridge.network, router.projectId);
    const subnetCopy = subnetCopyOf(copy.subnets, bridge, pod);
    if (podPlan.external) {
      attachments.push({ kind: 'subnet', bottomSubnetId: subnetCopy });
    } else {
      gateway = { networkId: copy.bottomNetworkId, enableSnat: false, fixedIps: [{ subnet_id: subnetCopy, ip_address: bridgeAddress(ports.get(pod.id)!) }] };
    }
  }
  if (podPlan.external && router.gateway) {
    const ext = await tools.external.ensureInPod(router.gateway.networkId, ctx);
    const fixedIps = router.gateway.fixedIps.flatMap((f) => {
      const subnetId = ext.subnets.get(f.subnetId);
      return subnetId === undefined ? [] : [{ subnet_id: subnetId, ip_address: f.ipAddress }];
    });
    gateway = { networkId: ext.bottomNetworkId, enableSnat: router.enableSnat, fixedIps };
  }

  const bottomRouterId = await reconcilePodRouter(tools, neutron, {
    routerId: router.id,
    projectId: router.projectId,
    adminStateUp: router.adminStateUp,
    attachments,
    gateway,
  });
  return { pod, bottomRouterId, site: { podId: pod.id, bridgeIp, cidrs } };
}

function subnetCopyOf(subnets: Map<string, string>, bridge: TopBridge, pod: Pod): string {
  const id = subnets.get(bridge.subnet.id);
  if (id === undefined) throw new Error(`bridge subnet ${bridge.subnet.id} has no copy in pod ${pod.regionName}`);
  return id;
}

/** A copy of a top port (an interface added by port) on the network's copy, with the same MAC and addresses. */
async function ensurePortCopy(tools: L3Tools, ctx: BottomCallContext, net: PodNetwork, topPortId: string): Promise<string> {
  const [port] = await tools.top.ports.get([topPortId]);
  if (!port) throw new Error(`top port ${topPortId} is gone`);
  const bottom = new BottomNeutron(tools.neutron(net.pod), ctx);
  const copy = await ensureCopy(
    tools.lock,
    {
      kind: 'port',
      topId: port.id,
      pod: net.pod,
      projectId: port.projectId,
      create: async () =>
        (
          await bottom.createPort({
            name: bottomName(port.id),
            network_id: net.bottomNetworkId,
            project_id: port.projectId,
            mac_address: port.macAddress,
            fixed_ips: mappedAddresses(port, net),
            admin_state_up: port.adminStateUp,
          })
        ).id,
      find: async () => (await bottom.portsNamed(bottomName(port.id), net.bottomNetworkId)).map((p) => p.id),
      remove: (id) => bottom.deletePort(id),
    },
    tools.logger,
  );
  return copy.bottomId;
}

/** The copy of a router's (or floating IP's) bridge port on the bridge's copy in the pod. */
export async function ensureBridgePortCopy(
  tools: L3Tools,
  ctx: BottomCallContext,
  pod: Pod,
  bottomNetworkId: string,
  bottomSubnetId: string,
  port: Port,
  projectId: string,
): Promise<string> {
  const bottom = new BottomNeutron(tools.neutron(pod), ctx);
  const copy = await ensureCopy(
    tools.lock,
    {
      kind: 'port',
      topId: port.id,
      pod,
      projectId,
      create: async () =>
        (
          await bottom.createPort({
            name: bottomName(port.id),
            network_id: bottomNetworkId,
            project_id: projectId,
            mac_address: port.macAddress,
            fixed_ips: [{ subnet_id: bottomSubnetId, ip_address: bridgeAddress(port) }],
            admin_state_up: true,
            port_security_enabled: false,
          })
        ).id,
      find: async () => (await bottom.portsNamed(bottomName(port.id), bottomNetworkId)).map((p) => p.id),
      remove: (id) => bottom.deletePort(id),
    },
    tools.logger,
  );
  return copy.bottomId;
}
