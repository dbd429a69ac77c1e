/**
 * The top objects of the projects' bridge networks (names.ts: east-west and north-south). Each is one
 * top network with one VLAN (from `[tricircle] bridge_network_type` and the VLAN ranges) whose subnets
 * are /24s carved from `bridge_cidr`: one for the project on the east-west bridge, one per router on
 * the north-south bridge. Router copies in different pods meet on them, each at an address the top
 * IPAM hands out (a reserved top port per router copy and bridge), so addresses never clash across
 * pods. The L3 jobs (src/wiring/l3) make them on first use and copy them into the pods.
 *
 * The top objects belong to no project (hidden from tenant lists); admins see them as
 * `bridge_net_<project>`, `ns_bridge_net_<project>`, `bridge_subnet_<project>`,
 * `ns_bridge_subnet_<router>`, carved from the pool `bridge_subnet_pool`. They go when nothing uses
 * them: no port on them at the top and no copy left in any pod.
 */
import { randomUUID } from 'node:crypto';
import type { BottomCallContext } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import { dbNow, isUniqueViolation, type Db } from '../../db/index.js';
import { parseCidr } from '../ip.js';
import { insertNetwork } from '../networks/insert.js';
import { toNetwork, type Network } from '../networks/model.js';
import type { RoutingTable } from '../../routing/index.js';
import type { Port } from '../ports/model.js';
import type { PortService } from '../ports/service.js';
import { allocateSegment, releaseSegments } from '../segments.js';
import type { NetworkSettings } from '../settings.js';
import type { SubnetpoolService } from '../subnetpools/service.js';
import { defaultGateway, defaultPools } from '../subnets/addressing.js';
import { toSubnet, type Subnet } from '../subnets/model.js';
import { dropTags } from '../tags.js';
import type { TopCopies } from '../bottomCopies.js';
import { inTransaction, lockRow, type Trx } from '../tx.js';
import { BRIDGE_OWNER, BRIDGE_POOL_NAME, BRIDGE_PREFIXLEN, nsBridgeNetName, stableId, type BridgeKind } from './names.js';

/** A bridge network of a project and one of its subnets (the project's, or a router's). */
export interface TopBridge {
  kind: BridgeKind;
  network: Network;
  subnet: Subnet;
}

/** A reserved top port: its id and its key. */
export interface ReservedPortRef {
  id: string;
  reservedFor: string;
}

/** The projects' bridge networks at the top, as the L3 jobs make, use and remove them. */
export interface TopBridges {
  /** The project's bridge network of a kind, if it exists. */
  network(projectId: string, kind: BridgeKind): Promise<Network | undefined>;
  /** A bridge and its subnet for `owner` (the project for east-west, a router for north-south), if both exist. */
  find(projectId: string, kind: BridgeKind, owner?: string): Promise<TopBridge | undefined>;
  /**
   * The project's bridge of a kind with the subnet of `owner`, made on first use. Making and removing
   * bridges lock the pool row, so two jobs never make two bridges for one project, two subnets for one
   * owner, or hand out one CIDR twice.
   */
  ensure(projectId: string, kind: BridgeKind, owner?: string): Promise<TopBridge>;
  /**
   * Removes a bridge's subnets that no port uses any more and that have no copy in any pod, then the
   * network when it has neither subnets nor copies left. Returns whether the network is gone.
   */
  dropIfUnused(projectId: string, kind: BridgeKind): Promise<boolean>;
  /** A top port on a bridge subnet, reserved under `key` (a router copy's or a floating IP's bridge address). */
  reservePort(bridge: TopBridge, key: string, deviceOwner: string): Promise<Port>;
  /** Reserved top ports whose key starts with `prefix`. */
  reservedPorts(prefix: string): Promise<ReservedPortRef[]>;
  /** The ports on a bridge network. */
  portsOn(networkId: string): Promise<{ id: string; reservedFor: string | null }[]>;
  /** Deletes a top bridge port: its copies in the pods first, then the port (its addresses go with it). */
  deletePort(portId: string, ctx: BottomCallContext): Promise<void>;
  /** Whether a port holds an address on the subnet. */
  subnetInUse(subnetId: string): Promise<boolean>;
  /** Deletes a bridge subnet unless a port holds an address on it or a pod still has a copy of it. */
  deleteSubnetIfUnused(subnetId: string): Promise<void>;
  /** The subnets of Tricircle's own networks (the projects' bridges: they belong to no project). */
  subnetIds(): Promise<Set<string>>;
  /** The project whose north-south bridge the port is on, if it is on one. */
  nsProjectOfPort(portId: string): Promise<string | undefined>;
}

/** The address of a reserved bridge port. */
export function bridgeAddress(port: Port): string {
  const ip = port.fixedIps[0]?.ipAddress;
  if (ip === undefined) throw new Error(`bridge port ${port.id} holds no address`);
  return ip;
}

export interface BridgeNetworksDeps {
  db: Db;
  settings: NetworkSettings;
  /** `[tricircle] bridge_cidr` as configured: the bridge pool's id is derived from this text. */
  bridgeCidrText: string;
  pools: SubnetpoolService;
  ports: PortService;
  copies: TopCopies;
  routings: RoutingTable;
  logger: Logger;
}

const KIND_TEXT = { ew: 'east-west', ns: 'north-south' } as const;

export class BridgeNetworks implements TopBridges {
  constructor(private readonly deps: BridgeNetworksDeps) {}

  private get poolId(): string {
    return stableId(`tricircle-bridge-pool:${this.deps.bridgeCidrText}`);
  }

  async network(projectId: string, kind: BridgeKind): Promise<Network | undefined> {
    const row = await findBridgeNetwork(this.deps.db.kysely, projectId, kind);
    return row ? toNetwork(row) : undefined;
  }

  async find(projectId: string, kind: BridgeKind, owner: string = projectId): Promise<TopBridge | undefined> {
    return findTopBridge(this.deps.db.kysely, projectId, kind, owner);
  }

  /** The bridge subnet pool (made on first use; its id follows from the configured CIDR). */
  private async ensurePool(): Promise<string> {
    const { db, settings } = this.deps;
    const id = this.poolId;
    const exists = await db.kysely.selectFrom('subnetpools').select('id').where('id', '=', id).executeTakeFirst();
    if (exists) return id;
    const cidr = settings.bridgeCidr;
    const now = dbNow(db.dialect);
    const values = {
      id,
      project_id: BRIDGE_OWNER,
      name: BRIDGE_POOL_NAME,
      description: 'Tricircle: the bridge subnets of the projects are carved from here',
      ip_version: 4,
      prefixes: JSON.stringify([this.deps.bridgeCidrText]),
      default_prefixlen: Math.max(BRIDGE_PREFIXLEN, cidr.prefixLength),
      min_prefixlen: cidr.prefixLength,
      max_prefixlen: 32,
      default_quota: null,
      shared: 0,
      is_default: 0,
      address_scope_id: null,
      revision_number: 1,
      created_at: now,
      updated_at: now,
    };
    try {
      const q = db.kysely.insertInto('subnetpools').values(values);
      if (db.dialect === 'mysql') await q.ignore().execute();
      else await q.onConflict((oc) => oc.doNothing()).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    return id;
  }

  async ensure(projectId: string, kind: BridgeKind, owner: string = projectId): Promise<TopBridge> {
    const { db, settings, logger } = this.deps;
    const existing = await findTopBridge(db.kysely, projectId, kind, owner);
    if (existing) return existing;
    const pool = await this.ensurePool();
    return inTransaction(db, async (trx) => {
      await lockRow(db, trx, 'subnetpools', pool);
      const again = await findTopBridge(trx, projectId, kind, owner);
      if (again) return again;
      const now = dbNow(db.dialect);
      let network = await findBridgeNetwork(trx, projectId, kind);
      if (!network) {
        const networkId = randomUUID();
        const segment = await allocateSegment(db, trx, settings, networkId, { networkType: settings.bridgeNetworkType });
        const bridgeNetwork = {
          id: networkId,
          project_id: BRIDGE_OWNER,
          name: kind.netName(projectId),
          description: `Tricircle: ${KIND_TEXT[kind.kind]} bridge network of project ${projectId}`,
          admin_state_up: 1,
          shared: 0,
          external: 0,
          port_security_enabled: 0,
          mtu: 1500,
          availability_zone_hints: '[]',
        };
        await insertNetwork(trx, bridgeNetwork, segment, now);
        network = (await findBridgeNetwork(trx, projectId, kind))!;
        logger.info({ projectId, kind: kind.kind, networkId, vlan: segment.segmentationId }, 'made a bridge network of a project');
      }
      const poolRow = await trx.selectFrom('subnetpools').selectAll().where('id', '=', pool).executeTakeFirstOrThrow();
      const cidrText = await this.deps.pools.allocate(trx, poolRow, Math.max(BRIDGE_PREFIXLEN, settings.bridgeCidr.prefixLength), undefined);
      const cidr = parseCidr(cidrText)!;
      const gateway = kind.withGateway ? defaultGateway(cidr) : null;
      await trx
        .insertInto('subnets')
        .values({
          id: randomUUID(),
          project_id: BRIDGE_OWNER,
          network_id: network.id,
          name: kind.subnetName(owner),
          description: `Tricircle: ${KIND_TEXT[kind.kind]} bridge subnet of ${kind.subnetPerRouter ? 'router' : 'project'} ${owner}`,
          ip_version: 4,
          cidr: cidrText,
          gateway_ip: gateway,
          enable_dhcp: 0,
          ipv6_ra_mode: null,
          ipv6_address_mode: null,
          allocation_pools: JSON.stringify(defaultPools(cidr, gateway)),
          dns_nameservers: '[]',
          host_routes: '[]',
          service_types: '[]',
          subnetpool_id: pool,
          revision_number: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .updateTable('networks')
        .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: now }))
        .where('id', '=', network.id)
        .execute();
      logger.info({ projectId, kind: kind.kind, owner, cidr: cidrText }, 'made a bridge subnet');
      return (await findTopBridge(trx, projectId, kind, owner))!;
    });
  }

  async dropIfUnused(projectId: string, kind: BridgeKind): Promise<boolean> {
    const { db, logger } = this.deps;
    if (!(await findBridgeNetwork(db.kysely, projectId, kind))) return true;
    const pool = this.poolId;
    return inTransaction(db, async (trx) => {
      await lockRow(db, trx, 'subnetpools', pool);
      const network = await findBridgeNetwork(trx, projectId, kind);
      if (!network) return true;
      const subnets = await trx.selectFrom('subnets').select(['id', 'name']).where('network_id', '=', network.id).execute();
      let left = subnets.length;
      for (const s of subnets) {
        const used = await trx.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', s.id).executeTakeFirst();
        const copied = (await this.deps.routings.in(trx).findByTop(s.id, 'subnet')).length > 0;
        if (used || copied) continue;
        await trx.deleteFrom('subnets').where('id', '=', s.id).execute();
        left--;
      }
      if (left > 0) return false;
      const port = await trx.selectFrom('ports').select('id').where('network_id', '=', network.id).executeTakeFirst();
      const copied = (await this.deps.routings.in(trx).findByTop(network.id, 'network')).length > 0;
      if (port || copied) return false;
      await releaseSegments(trx, network.id);
      await dropTags(trx, 'networks', [network.id]);
      await trx.deleteFrom('networks').where('id', '=', network.id).execute();
      logger.info({ projectId, kind: kind.kind, networkId: network.id }, 'removed a bridge network of a project');
      return true;
    });
  }

  reservePort(bridge: TopBridge, key: string, deviceOwner: string): Promise<Port> {
    return this.deps.ports.ensureReservedPort({
      key,
      networkId: bridge.network.id,
      subnetId: bridge.subnet.id,
      projectId: BRIDGE_OWNER,
      deviceOwner,
      name: key,
    });
  }

  async reservedPorts(prefix: string): Promise<ReservedPortRef[]> {
    // Keys are made of fixed words and UUIDs: no LIKE wildcard in the prefix; checked again below anyway.
    const rows = await this.deps.db.kysely.selectFrom('ports').select(['id', 'reserved_for']).where('reserved_for', 'like', `${prefix}%`).execute();
    return rows.filter((r): r is { id: string; reserved_for: string } => r.reserved_for?.startsWith(prefix) === true).map((r) => ({ id: r.id, reservedFor: r.reserved_for }));
  }

  async portsOn(networkId: string): Promise<{ id: string; reservedFor: string | null }[]> {
    const rows = await this.deps.db.kysely.selectFrom('ports').select(['id', 'reserved_for']).where('network_id', '=', networkId).execute();
    return rows.map((r) => ({ id: r.id, reservedFor: r.reserved_for }));
  }

  async deletePort(portId: string, ctx: BottomCallContext): Promise<void> {
    const kysely = this.deps.db.kysely;
    await this.deps.copies.deleteCopiesOf({ ports: [portId] }, ctx);
    await this.deps.routings.deleteByTop('port', [portId]);
    await dropTags(kysely, 'ports', [portId]);
    await kysely.deleteFrom('ports').where('id', '=', portId).execute();
  }

  async subnetInUse(subnetId: string): Promise<boolean> {
    return (await this.deps.db.kysely.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', subnetId).executeTakeFirst()) !== undefined;
  }

  async deleteSubnetIfUnused(subnetId: string): Promise<void> {
    const { db } = this.deps;
    await inTransaction(db, async (trx) => {
      await lockRow(db, trx, 'subnetpools', this.poolId);
      if (await trx.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', subnetId).executeTakeFirst()) return;
      if ((await this.deps.routings.in(trx).findByTop(subnetId, 'subnet')).length > 0) return;
      await trx.deleteFrom('subnets').where('id', '=', subnetId).execute();
    });
  }

  async subnetIds(): Promise<Set<string>> {
    const rows = await this.deps.db.kysely
      .selectFrom('subnets')
      .innerJoin('networks', 'networks.id', 'subnets.network_id')
      .select(['subnets.id as id'])
      .where('networks.project_id', '=', BRIDGE_OWNER)
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  async nsProjectOfPort(portId: string): Promise<string | undefined> {
    // The bridge's name says whose it is (the router's project, which an admin may have crossed).
    const net = await this.deps.db.kysely
      .selectFrom('ports')
      .innerJoin('networks', 'networks.id', 'ports.network_id')
      .select('networks.name as name')
      .where('ports.id', '=', portId)
      .executeTakeFirst();
    return net?.name.startsWith(nsBridgeNetName('')) ? net.name.slice(nsBridgeNetName('').length) : undefined;
  }
}

/** The project's bridge network of a kind at the top, if it exists. */
async function findBridgeNetwork(trx: Trx, projectId: string, kind: BridgeKind) {
  return trx.selectFrom('networks').selectAll().where('project_id', '=', BRIDGE_OWNER).where('name', '=', kind.netName(projectId)).executeTakeFirst();
}

async function findTopBridge(trx: Trx, projectId: string, kind: BridgeKind, owner: string): Promise<TopBridge | undefined> {
  const network = await findBridgeNetwork(trx, projectId, kind);
  if (!network) return undefined;
  const subnet = await trx.selectFrom('subnets').selectAll().where('network_id', '=', network.id).where('name', '=', kind.subnetName(owner)).executeTakeFirst();
  return subnet ? { kind, network: toNetwork(network), subnet: toSubnet(subnet) } : undefined;
}
