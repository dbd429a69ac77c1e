/**
 * Checks a server's requested NICs before anything is made: every network and port must exist for
 * the caller, fit the pod, and be usable. Errors read as Nova's.
 */
import type { Pod } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import { canonicalIp, type Caller, type NetworkWithSubnets, type Port, type TopNetworkState } from '../../network/index.js';
import type { ServerNicRequest } from './contract.js';
import { nicErrors } from './errors.js';
import { placementRefusal } from './podNetwork.js';

export type NetworkTarget = NetworkWithSubnets;

/** One NIC to prepare: a new port on a network, or an existing port. */
export type NicPlan = (NetworkTarget & { kind: 'network'; fixedIp?: string }) | (NetworkTarget & { kind: 'port'; port: Port });

export interface NicPlannerDeps {
  top: Pick<TopNetworkState, 'networks' | 'ports'>;
  routings: Pick<RoutingTable, 'findByTop'>;
}

export class NicPlanner {
  constructor(private readonly deps: NicPlannerDeps) {}

  async plan(caller: Caller, pod: Pod, nics: ServerNicRequest[] | 'auto' | 'none', serverId: string): Promise<NicPlan[]> {
    if (nics === 'none') return [];
    if (nics === 'auto') return this.auto(caller, pod);
    const out: NicPlan[] = [];
    const seenPorts = new Set<string>();
    for (const nic of nics) {
      if (nic.portId !== undefined) {
        if (seenPorts.has(nic.portId)) throw nicErrors.portInUse(nic.portId);
        seenPorts.add(nic.portId);
        out.push(await this.existingPort(caller, pod, nic.portId, serverId));
      } else if (nic.networkId !== undefined) {
        let fixedIp: string | undefined;
        if (nic.fixedIp !== undefined) {
          fixedIp = canonicalIp(nic.fixedIp);
          if (fixedIp === undefined) throw nicErrors.invalidFixedIp(nic.fixedIp);
        }
        const target = await this.visibleNetwork(caller, nic.networkId);
        if (!target) throw nicErrors.networkNotFound(nic.networkId);
        await this.checkUsable(caller, pod, target);
        out.push({ kind: 'network', ...target, ...(fixedIp !== undefined ? { fixedIp } : {}) });
      }
    }
    return out;
  }

  /** The project's one usable network (own or shared, not external, with subnets, allowed in the pod); none when it has none. */
  private async auto(caller: Caller, pod: Pod): Promise<NicPlan[]> {
    const usable: NetworkTarget[] = [];
    for (const target of await this.deps.top.networks.bootable(caller)) {
      if ((await placementRefusal(this.deps, pod, target.network)) === undefined) usable.push(target);
    }
    if (usable.length > 1) throw nicErrors.networkAmbiguous();
    return usable.map((t) => ({ kind: 'network', ...t }));
  }

  private async existingPort(caller: Caller, pod: Pod, portId: string, serverId: string): Promise<NicPlan> {
    const port = await this.deps.top.ports.visible(caller, portId);
    if (!port || (!caller.isAdmin && port.projectId !== caller.projectId)) throw nicErrors.portNotFound(portId);
    if ((port.deviceId !== '' && port.deviceId !== serverId) || port.reservedFor !== null || port.deviceOwner.startsWith('network:')) {
      throw nicErrors.portInUse(portId);
    }
    if (port.fixedIps.length === 0) throw nicErrors.portRequiresFixedIp(portId);
    const target = await this.networkOf(port.networkId);
    if (!target) throw nicErrors.portNotFound(portId);
    await this.checkUsable(caller, pod, target, true);
    return { kind: 'port', ...target, port };
  }

  private async checkUsable(caller: Caller, pod: Pod, target: NetworkTarget, viaPort = false): Promise<void> {
    const { network } = target;
    if (!viaPort && network.external && !network.shared && !caller.isAdmin) throw nicErrors.externalNetworkForbidden(network.id);
    if (target.subnets.length === 0) throw nicErrors.networkRequiresSubnet(network.id);
    const refusal = await placementRefusal(this.deps, pod, network);
    if (refusal) throw nicErrors.notSameAz(refusal);
  }

  private visibleNetwork(caller: Caller, id: string): Promise<NetworkTarget | undefined> {
    return this.deps.top.networks.visible(caller, id);
  }

  private async networkOf(id: string): Promise<NetworkTarget | undefined> {
    return (await this.deps.top.networks.withSubnets([id])).get(id);
  }
}
