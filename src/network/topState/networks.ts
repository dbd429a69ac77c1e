/** Top networks, subnets and ports as the pod side reads them. */
import type { Db } from '../../db/index.js';
import { toNetwork, type Network } from '../networks/model.js';
import type { NetworkService } from '../networks/service.js';
import type { Caller } from '../policy.js';
import type { Port } from '../ports/model.js';
import type { PortService } from '../ports/service.js';
import { toSubnet, type Subnet } from '../subnets/model.js';
import { parseJson } from '../tx.js';

export interface NetworkWithSubnets {
  network: Network;
  /** Oldest first. */
  subnets: Subnet[];
}

/** An external network: its owner, the regions its hint names (the first hosts it) and its subnets. */
export interface ExternalNetworkRef {
  id: string;
  projectId: string;
  azHints: string[];
  subnetIds: string[];
}

export interface TopNetworks {
  /** The network as stored, whoever owns it. */
  get(id: string): Promise<Network | undefined>;
  /** The network with its subnets, when `caller` may see it. */
  visible(caller: Caller, id: string): Promise<NetworkWithSubnets | undefined>;
  /** The networks a boot may pick for `auto`: the project's own and shared ones, not external, with subnets (by id). */
  bootable(caller: Caller): Promise<NetworkWithSubnets[]>;
  /** The network's subnets, oldest first. */
  subnetsOf(networkId: string): Promise<Subnet[]>;
  /** Networks by id with all their subnets (unknown ids are left out). */
  withSubnets(networkIds: string[]): Promise<Map<string, NetworkWithSubnets>>;
  /** Every external network. */
  externals(): Promise<ExternalNetworkRef[]>;
}

export interface TopPorts {
  /** Ports by id (unknown ids are left out). */
  get(ids: string[]): Promise<Port[]>;
  /** The port, when `caller` may see it (its project's, or on a network it owns). */
  visible(caller: Caller, id: string): Promise<Port | undefined>;
}

export function topNetworks(db: Db, networks: NetworkService): TopNetworks {
  const withSubnets = async (networkIds: string[]): Promise<Map<string, NetworkWithSubnets>> => {
    const out = new Map<string, NetworkWithSubnets>();
    if (networkIds.length === 0) return out;
    const nets = await db.kysely.selectFrom('networks').selectAll().where('id', 'in', networkIds).execute();
    const subs = await db.kysely.selectFrom('subnets').selectAll().where('network_id', 'in', networkIds).orderBy('created_at').orderBy('id').execute();
    for (const n of nets) {
      const network = toNetwork(n);
      out.set(n.id, { network, subnets: subs.filter((s) => s.network_id === n.id).map((s) => toSubnet(s, { external: network.external })) });
    }
    return out;
  };
  const subnetsOf = async (networkId: string) => (await withSubnets([networkId])).get(networkId)?.subnets ?? [];
  return {
    async get(id) {
      const row = await db.kysely.selectFrom('networks').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toNetwork(row) : undefined;
    },
    async visible(caller, id) {
      const row = await networks.findVisibleRow(db.kysely, caller, id);
      return row ? { network: toNetwork(row), subnets: await subnetsOf(id) } : undefined;
    },
    async bootable(caller) {
      const rows = await db.kysely
        .selectFrom('networks')
        .selectAll()
        .where('external', '=', 0)
        .where((eb) => eb.or([eb('project_id', '=', caller.projectId), eb('shared', '=', 1)]))
        .where((eb) => eb.exists(eb.selectFrom('subnets').select('subnets.id').whereRef('subnets.network_id', '=', 'networks.id')))
        .orderBy('id')
        .execute();
      const out: NetworkWithSubnets[] = [];
      for (const row of rows) out.push({ network: toNetwork(row), subnets: await subnetsOf(row.id) });
      return out;
    },
    subnetsOf,
    withSubnets,
    async externals() {
      const nets = await db.kysely.selectFrom('networks').select(['id', 'project_id', 'availability_zone_hints']).where('external', '=', 1).execute();
      if (nets.length === 0) return [];
      const subnets = await db.kysely
        .selectFrom('subnets')
        .select(['id', 'network_id'])
        .where(
          'network_id',
          'in',
          nets.map((n) => n.id),
        )
        .execute();
      return nets.map((n) => ({
        id: n.id,
        projectId: n.project_id,
        azHints: parseJson<string[]>(n.availability_zone_hints, []),
        subnetIds: subnets.filter((s) => s.network_id === n.id).map((s) => s.id),
      }));
    },
  };
}

export function topPorts(db: Db, ports: PortService): TopPorts {
  return {
    get: (ids) => ports.topPorts(ids),
    async visible(caller, id) {
      const row = await ports.findVisible(db.kysely, caller, id);
      if (!row) return undefined;
      const [port] = await ports.topPorts([id]);
      return port;
    },
  };
}
