/**
 * Checks a server's requested NICs before anything is made: every network and port must exist for
 * the caller, fit the pod, and be usable. Errors read as Nova's.
 */
import type { Db } from '../../db/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import { canonicalIp } from '../../network/ip.js';
import { toNetwork, type Network } from '../../network/networks/model.js';
import type { NetworkService } from '../../network/networks/service.js';
import type { Caller } from '../../network/policy.js';
import type { Port } from '../../network/ports/model.js';
import type { PortService } from '../../network/ports/service.js';
import { toSubnet, type Subnet } from '../../network/subnets/model.js';
import type { ServerNicRequest } from './contract.js';
import { nicErrors } from './errors.js';
import { placementRefusal } from './podNetwork.js';

export interface NetworkTarget {
  network: Network;
  subnets: Subnet[];
}

/** One NIC to prepare: a new port on a network, or an existing port. */
export type NicPlan = (NetworkTarget & { kind: 'network'; fixedIp?: string }) | (NetworkTarget & { kind: 'port'; port: Port });

export interface NicPlannerDeps {
  db: Db;
  networks: NetworkService;
  ports: PortService;
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
    const rows = await this.deps.db.kysely
      .selectFrom('networks')
      .selectAll()
      .where('external', '=', 0)
      .where((eb) => eb.or([eb('project_id', '=', caller.projectId), eb('shared', '=', 1)]))
      .where((eb) => eb.exists(eb.selectFrom('subnets').select('subnets.id').whereRef('subnets.network_id', '=', 'networks.id')))
      .orderBy('id')
      .execute();
    const usable: NetworkTarget[] = [];
    for (const row of rows) {
      const target = { network: toNetwork(row), subnets: await this.subnetsOf(row.id) };
      if ((await placementRefusal(this.deps, pod, target.network)) === undefined) usable.push(target);
    }
    if (usable.length > 1) throw nicErrors.networkAmbiguous();
    return usable.map((t) => ({ kind: 'network', ...t }));
  }

  private async existingPort(caller: Caller, pod: Pod, portId: string, serverId: string): Promise<NicPlan> {
    const row = await this.deps.ports.findVisible(this.deps.db.kysely, caller, portId);
    if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw nicErrors.portNotFound(portId);
    const [port] = await this.deps.ports.topPorts([portId]);
    if (!port) throw nicErrors.portNotFound(portId);
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

  private async visibleNetwork(caller: Caller, id: string): Promise<NetworkTarget | undefined> {
    const row = await this.deps.networks.findVisibleRow(this.deps.db.kysely, caller, id);
    if (!row) return undefined;
    return { network: toNetwork(row), subnets: await this.subnetsOf(id) };
  }

  private async networkOf(id: string): Promise<NetworkTarget | undefined> {
    const row = await this.deps.db.kysely.selectFrom('networks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { network: toNetwork(row), subnets: await this.subnetsOf(id) } : undefined;
  }

  async subnetsOf(networkId: string): Promise<Subnet[]> {
    const rows = await this.deps.db.kysely.selectFrom('subnets').selectAll().where('network_id', '=', networkId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => toSubnet(r));
  }
}
