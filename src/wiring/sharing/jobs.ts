/**
 * The pods' side of sharing, QoS and update pushing: the `network_sync`, `qos_policy_sync` and
 * `port_sync` handlers (requested by the top, see src/network/rbac/jobs.ts). Each reads the current top
 * state and brings every pod copy to it, so any number of runs end in the same place; a pod that
 * cannot be reached fails the run and XJob retries it.
 */
import type { BottomCallContext, NeutronApi } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import { NETWORK_SYNC_JOB, PORT_SYNC_JOB, QOS_POLICY_SYNC_JOB, type TopNetworkState } from '../../network/index.js';
import type { Pod, PodRegistry } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import type { JobHandlers } from '../../xjob/index.js';
import { podPools } from '../prepare/index.js';
import { ignoreNotFound, type QosCopies } from './qosCopies.js';

const ADMIN = { asAdmin: true } as const;

export interface SharingTools {
  top: Pick<TopNetworkState, 'networks' | 'sharing' | 'reservedPorts'>;
  pods: Pick<PodRegistry, 'find'>;
  routings: Pick<RoutingTable, 'findByTop' | 'bottomIdOf' | 'delete'>;
  neutron(pod: Pod): NeutronApi;
  qos: QosCopies;
  logger: Logger;
}

/** The copies of a top object, with their pods (rows still being made, and pods gone, left out). */
async function copiesOf(tools: SharingTools, topId: string, type: string): Promise<{ pod: Pod; bottomId: string; routingId: number }[]> {
  const out: { pod: Pod; bottomId: string; routingId: number }[] = [];
  for (const r of await tools.routings.findByTop(topId, type)) {
    if (!r.bottomId) continue;
    const pod = await tools.pods.find(r.podId);
    if (pod) out.push({ pod, bottomId: r.bottomId, routingId: r.id });
  }
  return out;
}

/** Pushes a network's attributes, its QoS policy, its RBAC sharing and its subnets' addressing to every copy. */
export async function syncNetwork(tools: SharingTools, ctx: BottomCallContext, networkId: string): Promise<void> {
  const found = (await tools.top.networks.withSubnets([networkId])).get(networkId);
  if (!found) return; // deleted: the delete removed its copies
  const { network, subnets } = found;
  const shares = await tools.top.sharing.networkShares(networkId);
  for (const copy of await copiesOf(tools, networkId, 'network')) {
    const neutron = tools.neutron(copy.pod);
    const qos = network.qosPolicyId === null ? null : await tools.qos.ensureInPod(ctx, copy.pod, network.qosPolicyId);
    await neutron.updateNetwork(
      ctx,
      copy.bottomId,
      { admin_state_up: network.adminStateUp, mtu: network.mtu, port_security_enabled: network.portSecurityEnabled, shared: network.shared, qos_policy_id: qos },
      ADMIN,
    );
    // The copy is shared with exactly the projects the top network is shared with.
    const entries = await neutron.listRbacPolicies(ctx, { object_id: copy.bottomId, action: 'access_as_shared' }, ADMIN);
    const have = new Map(entries.filter((e) => e.object_id === copy.bottomId && e.target_tenant !== '*').map((e) => [String(e.target_tenant), e.id]));
    for (const project of shares) {
      if (!have.delete(project))
        await neutron.createRbacPolicy(ctx, { object_type: 'network', object_id: copy.bottomId, action: 'access_as_shared', target_tenant: project }, ADMIN);
    }
    for (const id of have.values()) await ignoreNotFound(neutron.deleteRbacPolicy(ctx, id, ADMIN));

    for (const subnet of subnets) {
      const bottomSubnet = await tools.routings.bottomIdOf('subnet', subnet.id, copy.pod.id);
      if (!bottomSubnet) continue;
      // vlan networks span pods: each pod keeps its own gateway address (see the copy builder).
      const gateway =
        subnet.gatewayIp === null || network.segment.networkType !== 'vlan' || network.external
          ? subnet.gatewayIp
          : await tools.top.reservedPorts.gatewayAddress(copy.pod.id, network, subnet);
      await neutron.updateSubnet(
        ctx,
        bottomSubnet,
        { gateway_ip: gateway, allocation_pools: podPools(subnet.allocationPools, gateway), dns_nameservers: subnet.dnsNameservers, host_routes: subnet.hostRoutes },
        ADMIN,
      );
    }
  }
}

/** Brings every copy of a QoS policy to the top's rules, or deletes the copies of a deleted policy. */
export async function syncQosPolicy(tools: SharingTools, ctx: BottomCallContext, policyId: string): Promise<void> {
  const top = await tools.top.sharing.qosPolicy(policyId);
  for (const copy of await copiesOf(tools, policyId, 'qos_policy')) {
    if (top) {
      await tools.qos.syncRules(ctx, copy.pod, copy.bottomId, top);
    } else {
      await ignoreNotFound(tools.neutron(copy.pod).deleteQosPolicy(ctx, copy.bottomId, ADMIN));
      await tools.routings.delete(copy.routingId);
    }
  }
}

/** Sets a port's QoS policy on its copies. */
export async function syncPort(tools: SharingTools, ctx: BottomCallContext, portId: string): Promise<void> {
  const port = await tools.top.sharing.portQos(portId);
  if (!port) return;
  for (const copy of await copiesOf(tools, portId, 'port')) {
    const qos = port.qosPolicyId === null ? null : await tools.qos.ensureInPod(ctx, copy.pod, port.qosPolicyId);
    await tools.neutron(copy.pod).updatePort(ctx, copy.bottomId, { qos_policy_id: qos }, ADMIN);
  }
}

export function sharingJobHandlers(tools: SharingTools): JobHandlers {
  const ctxOf = (jobId: string): BottomCallContext => ({ requestId: `req-${jobId}` });
  return {
    [NETWORK_SYNC_JOB]: {
      description: "Pushes a top network's attributes, QoS policy, RBAC sharing and subnets' addressing to its copies in the pods",
      run: (job) => syncNetwork(tools, ctxOf(job.id), job.resource.id),
    },
    [QOS_POLICY_SYNC_JOB]: {
      description: "Brings the pods' copies of a QoS policy to the top's rules, or deletes them once the policy is deleted",
      run: (job) => syncQosPolicy(tools, ctxOf(job.id), job.resource.id),
    },
    [PORT_SYNC_JOB]: {
      description: "Sets a top port's QoS policy on its copy in its pod",
      run: (job) => syncPort(tools, ctxOf(job.id), job.resource.id),
    },
  };
}
