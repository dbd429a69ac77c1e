/**
 * The pod Neutron calls of server network preparation. Everything runs with the service account:
 * copies belong to the top object's project (not always the caller's), vlan copies carry provider
 * attributes, and copies of ports set their MAC and addresses, which Neutron's policy keeps to admins
 * and network owners.
 */
import type { BottomCallContext, BottomNetwork, BottomPort, BottomSubnet, JsonObject, NeutronApi } from '../../bottom/index.js';
import { isBottomNotFound } from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';

export type NeutronCalls = Pick<
  NeutronApi,
  | 'listNetworks'
  | 'createNetwork'
  | 'deleteNetwork'
  | 'listSubnets'
  | 'createSubnet'
  | 'updateSubnet'
  | 'deleteSubnet'
  | 'listPorts'
  | 'getPort'
  | 'createPort'
  | 'updatePort'
  | 'deletePort'
>;

export type NeutronOf = (pod: Pod) => NeutronCalls;

const ADMIN = { asAdmin: true } as const;

/** One pod's Neutron, for the objects preparation copies there. */
export class BottomNeutron {
  constructor(
    private readonly api: NeutronCalls,
    private readonly ctx: BottomCallContext,
  ) {}

  createNetwork(body: JsonObject): Promise<BottomNetwork> {
    return this.api.createNetwork(this.ctx, body, ADMIN);
  }
  async networksNamed(name: string): Promise<BottomNetwork[]> {
    return (await this.api.listNetworks(this.ctx, { name }, ADMIN)).filter((n) => n.name === name);
  }
  deleteNetwork(id: string): Promise<void> {
    return ignoreNotFound(this.api.deleteNetwork(this.ctx, id, ADMIN));
  }

  createSubnet(body: JsonObject): Promise<BottomSubnet> {
    return this.api.createSubnet(this.ctx, body, ADMIN);
  }
  async subnetsNamed(name: string, networkId: string): Promise<BottomSubnet[]> {
    return (await this.api.listSubnets(this.ctx, { name, network_id: networkId }, ADMIN)).filter((s) => s.name === name && s.network_id === networkId);
  }
  subnetsOf(networkId: string): Promise<BottomSubnet[]> {
    return this.api.listSubnets(this.ctx, { network_id: networkId }, ADMIN);
  }
  async enableDhcp(subnetId: string): Promise<void> {
    await this.api.updateSubnet(this.ctx, subnetId, { enable_dhcp: true }, ADMIN);
  }
  deleteSubnet(id: string): Promise<void> {
    return ignoreNotFound(this.api.deleteSubnet(this.ctx, id, ADMIN));
  }

  createPort(body: JsonObject): Promise<BottomPort> {
    return this.api.createPort(this.ctx, body, ADMIN);
  }
  async portsNamed(name: string, networkId: string): Promise<BottomPort[]> {
    return (await this.api.listPorts(this.ctx, { name, network_id: networkId }, ADMIN)).filter((p) => p.name === name && p.network_id === networkId);
  }
  getPort(id: string): Promise<BottomPort> {
    return this.api.getPort(this.ctx, id, ADMIN);
  }
  async setPortAddresses(id: string, fixedIps: { subnet_id: string; ip_address: string }[]): Promise<void> {
    await this.api.updatePort(this.ctx, id, { fixed_ips: fixedIps }, ADMIN);
  }
  deletePort(id: string): Promise<void> {
    return ignoreNotFound(this.api.deletePort(this.ctx, id, ADMIN));
  }
}

async function ignoreNotFound(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!isBottomNotFound(err)) throw err;
  }
}
