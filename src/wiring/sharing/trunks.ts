/**
 * `trunk_sync` and `port_forwarding_sync`: a top trunk lives in its parent port's pod, a floating IP's
 * port forwardings in its external network's pod. Both wait (do nothing) until the copies they need
 * are there — the parent port's copy (a boot), the internal port's copy in the external network's
 * pod — and are requested again by the boot that makes them (src/network/routers/followUps.ts).
 */
import type { BottomCallContext, NeutronApi } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import { createRequestContext } from '../../identity/index.js';
import type { TopNetworkState } from '../../network/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { RoutingLock, RoutingTable } from '../../routing/index.js';
import { bottomName, ensureCopy, type PodNetworkBuilder } from '../prepare/index.js';
import { ensureVmPort } from '../prepare/vmPort.js';
import type { SecurityGroupSync } from '../securityGroups/index.js';
import { ignoreNotFound } from './qosCopies.js';

const ADMIN = { asAdmin: true } as const;

export interface TrunkTools {
  top: Pick<TopNetworkState, 'sharing' | 'ports' | 'networks'>;
  pods: Pick<PodRegistry, 'find'>;
  routings: Pick<RoutingTable, 'findByTop' | 'bottomIdOf' | 'delete'>;
  lock: Pick<RoutingLock, 'getOrCreateBottom'>;
  builder: PodNetworkBuilder;
  groups: Pick<SecurityGroupSync, 'prepareBottomSecurityGroup'>;
  neutron(pod: Pod): NeutronApi;
  logger: Logger;
}

async function podOfCopy(tools: TrunkTools, topId: string, type: string): Promise<{ pod: Pod; bottomId: string } | undefined> {
  for (const r of await tools.routings.findByTop(topId, type)) {
    if (!r.bottomId) continue;
    const pod = await tools.pods.find(r.podId);
    if (pod) return { pod, bottomId: r.bottomId };
  }
  return undefined;
}

/** Removes the pod copies recorded for `topId` under `type` with `remove`. */
async function dropCopies(tools: TrunkTools, topId: string, type: string, remove: (pod: Pod, bottomId: string) => Promise<void>): Promise<void> {
  for (const r of await tools.routings.findByTop(topId, type)) {
    const pod = await tools.pods.find(r.podId);
    if (pod && r.bottomId) await remove(pod, r.bottomId);
    await tools.routings.delete(r.id);
  }
}

export async function syncTrunk(tools: TrunkTools, ctx: BottomCallContext, trunkId: string): Promise<void> {
  const trunk = await tools.top.sharing.trunk(trunkId);
  if (!trunk) {
    await dropCopies(tools, trunkId, 'trunk', (pod, id) => ignoreNotFound(tools.neutron(pod).deleteTrunk(ctx, id, ADMIN)));
    return;
  }
  const parent = await podOfCopy(tools, trunk.portId, 'port');
  if (!parent) return; // the boot that copies the parent port asks again
  const { pod } = parent;
  const neutron = tools.neutron(pod);
  // The job acts with the service account (no user token): security group copies are made as the boot makes them.
  const asService = createRequestContext({ userId: '', projectId: trunk.projectId, roles: ['admin'], authToken: '', requestId: ctx.requestId });

  // Each subport's network is prepared in the parent's pod, and the subport copied there.
  const ports = await tools.top.ports.get(trunk.subports.map((s) => s.portId));
  const bottomSub = new Map<string, string>();
  for (const port of ports) {
    const target = (await tools.top.networks.withSubnets([port.networkId])).get(port.networkId);
    if (!target) continue;
    const net = await tools.builder.ensure(ctx, pod, target.network, target.subnets);
    const groups = port.portSecurityEnabled ? await Promise.all(port.securityGroups.map((g) => tools.groups.prepareBottomSecurityGroup(pod, g, asService))) : [];
    bottomSub.set(port.id, await ensureVmPort({ lock: tools.lock, neutronOf: () => neutron, logger: tools.logger }, ctx, net, port, groups));
  }
  const wanted = trunk.subports
    .filter((s) => bottomSub.has(s.portId))
    .map((s) => ({
      port_id: bottomSub.get(s.portId)!,
      segmentation_type: s.segmentationType,
      ...(s.segmentationType === 'vlan' ? { segmentation_id: s.segmentationId } : {}),
    }));

  const copy = await ensureCopy(
    tools.lock,
    {
      kind: 'trunk',
      topId: trunk.id,
      pod,
      projectId: trunk.projectId,
      create: async () =>
        (
          await neutron.createTrunk(
            ctx,
            { name: bottomName(trunk.id), port_id: parent.bottomId, project_id: trunk.projectId, admin_state_up: trunk.adminStateUp, sub_ports: wanted },
            ADMIN,
          )
        ).id,
      find: async () => (await neutron.listTrunks(ctx, { name: bottomName(trunk.id) }, ADMIN)).filter((t) => t.name === bottomName(trunk.id)).map((t) => t.id),
      remove: (id) => ignoreNotFound(neutron.deleteTrunk(ctx, id, ADMIN)),
    },
    tools.logger,
  );
  if (copy.created) return;
  // An existing copy: its subports and admin state become the top's.
  const [current] = (await neutron.listTrunks(ctx, { id: copy.bottomId }, ADMIN)).filter((t) => t.id === copy.bottomId);
  const have = ((current?.sub_ports as { port_id: string }[] | undefined) ?? []).map((s) => s.port_id);
  const add = wanted.filter((w) => !have.includes(w.port_id));
  const remove = have.filter((p) => !wanted.some((w) => w.port_id === p)).map((port_id) => ({ port_id }));
  if (remove.length) await neutron.trunkSubports(ctx, copy.bottomId, 'remove_subports', remove, ADMIN);
  if (add.length) await neutron.trunkSubports(ctx, copy.bottomId, 'add_subports', add, ADMIN);
  if (current && current.admin_state_up !== trunk.adminStateUp) await neutron.updateTrunk(ctx, copy.bottomId, { admin_state_up: trunk.adminStateUp }, ADMIN);
}

const pfKey = (protocol: unknown, external: unknown) => `${protocol}/${external}`;
const rangeText = (r: [number, number]) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}:${r[1]}`);

/**
 * The pod of the floating IP's external network gets one floating IP with the top's address (not bound
 * to a port; described `pf:<top id>` so the floating IP job leaves it alone) carrying the forwardings
 * whose internal port has a copy in that pod. A forwarding to a port in another pod would need the
 * second hop over the north-south bridge; it is left waiting (docs/network-api.md).
 */
export async function syncPortForwardings(tools: TrunkTools, ctx: BottomCallContext, floatingIpId: string): Promise<void> {
  const top = await tools.top.sharing.portForwardings(floatingIpId);
  const drop = () => dropCopies(tools, floatingIpId, 'port_forwarding', (pod, id) => ignoreNotFound(tools.neutron(pod).deleteFloatingIp(ctx, id, ADMIN)));
  if (!top || top.items.length === 0) return drop();
  const ext = await podOfCopy(tools, top.floatingIp.networkId, 'network');
  if (!ext) return;
  const { pod } = ext;
  const neutron = tools.neutron(pod);
  const ready: { bottomPort: string; item: (typeof top.items)[number] }[] = [];
  for (const item of top.items) {
    const bottomPort = await tools.routings.bottomIdOf('port', item.internalPortId, pod.id);
    if (bottomPort) ready.push({ bottomPort, item });
    else tools.logger.info({ floatingIpId, portForwarding: item.id, pod: pod.regionName }, 'port forwarding waits for its internal port in the external network pod');
  }
  if (ready.length === 0) return drop();
  const description = `pf:${floatingIpId}`;
  const copy = await ensureCopy(
    tools.lock,
    {
      kind: 'port_forwarding',
      topId: floatingIpId,
      pod,
      projectId: top.floatingIp.projectId,
      create: async () =>
        (
          await neutron.createFloatingIp(
            ctx,
            { floating_network_id: ext.bottomId, floating_ip_address: top.floatingIp.address, project_id: top.floatingIp.projectId, description },
            ADMIN,
          )
        ).id,
      find: async () => (await neutron.listFloatingIps(ctx, { floating_ip_address: top.floatingIp.address }, ADMIN)).filter((f) => f.description === description).map((f) => f.id),
      remove: (id) => ignoreNotFound(neutron.deleteFloatingIp(ctx, id, ADMIN)),
    },
    tools.logger,
  );
  const have = await neutron.listPortForwardings(ctx, copy.bottomId, undefined, ADMIN);
  const want = new Map(ready.map((r) => [pfKey(r.item.protocol, rangeText(r.item.external)), r]));
  for (const pf of have) {
    const key = pfKey(pf.protocol, pf.external_port_range ?? pf.external_port);
    const w = want.get(key);
    if (
      w &&
      pf.internal_port_id === w.bottomPort &&
      pf.internal_ip_address === w.item.internalIp &&
      (pf.internal_port_range ?? String(pf.internal_port)) === rangeText(w.item.internal)
    ) {
      want.delete(key);
      continue;
    }
    await ignoreNotFound(neutron.deletePortForwarding(ctx, copy.bottomId, pf.id, ADMIN));
  }
  for (const { bottomPort, item } of want.values()) {
    const single = item.internal[0] === item.internal[1] && item.external[0] === item.external[1];
    await neutron.createPortForwarding(
      ctx,
      copy.bottomId,
      {
        protocol: item.protocol,
        internal_port_id: bottomPort,
        internal_ip_address: item.internalIp,
        ...(single
          ? { internal_port: item.internal[0], external_port: item.external[0] }
          : { internal_port_range: rangeText(item.internal), external_port_range: rangeText(item.external) }),
        description: item.description,
      },
      ADMIN,
    );
  }
}
