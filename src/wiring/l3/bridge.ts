/**
 * The bridge networks of a project (names.ts: east-west and north-south). Each is one top network
 * with one VLAN (from `[tricircle] bridge_network_type` and the VLAN ranges) whose subnets are /24s
 * carved from `bridge_cidr`: one for the project on the east-west bridge, one per router on the
 * north-south bridge. A bridge is copied with the same VLAN and all its subnets into every pod where
 * a router of the project needs it. Router copies in different pods meet on them, each at an address
 * the top IPAM hands out (a reserved top port per router copy and bridge), so addresses never clash
 * across pods.
 *
 * The top objects belong to no project (hidden from tenant lists); admins see them as
 * `bridge_net_<project>`, `ns_bridge_net_<project>`, `bridge_subnet_<project>`,
 * `ns_bridge_subnet_<router>`, carved from the pool `bridge_subnet_pool`. They go when nothing uses
 * them: no port on them at the top and no copy left in any pod.
 */
import { randomUUID } from 'node:crypto';
import type { BottomCallContext } from '../../bottom/index.js';
import { dbNow, isUniqueViolation } from '../../db/index.js';
import type { Pod } from '../../pods/index.js';
import { copiesOf, deleteCopies } from '../../network/bottomCopies.js';
import { parseCidr } from '../../network/ip.js';
import { insertNetwork } from '../../network/networks/insert.js';
import { toNetwork, type Network, type NetworkRow } from '../../network/networks/model.js';
import type { Port } from '../../network/ports/model.js';
import { allocateSegment, releaseSegments } from '../../network/segments.js';
import { defaultGateway, defaultPools } from '../../network/subnets/addressing.js';
import { toSubnet, type Subnet, type SubnetRow } from '../../network/subnets/model.js';
import { dropTags } from '../../network/tags.js';
import { inTransaction, lockRow, type Trx } from '../../network/tx.js';
import { BRIDGE_OWNER, BRIDGE_POOL_NAME, BRIDGE_PREFIXLEN, stableId, type BridgeKind } from './names.js';
import { PodL3 } from './podNeutron.js';
import type { L3Tools } from './tools.js';

/** A bridge network of a project and one of its subnets (the project's, or a router's). */
export interface TopBridge {
  kind: BridgeKind;
  network: NetworkRow;
  subnet: SubnetRow;
}

/** A bridge's copy in a pod: the network and its subnets' copies (top id → bottom id). */
export interface PodBridge {
  pod: Pod;
  bottomNetworkId: string;
  subnets: Map<string, string>;
}

const poolId = (tools: L3Tools) => stableId(`tricircle-bridge-pool:${tools.core.config.tricircle.bridge_cidr}`);

/** The project's bridge network of a kind at the top, if it exists. */
export async function findBridgeNetwork(trx: Trx, projectId: string, kind: BridgeKind): Promise<NetworkRow | undefined> {
  return trx.selectFrom('networks').selectAll().where('project_id', '=', BRIDGE_OWNER).where('name', '=', kind.netName(projectId)).executeTakeFirst();
}

/** A bridge and its subnet for `owner` (the project for east-west, a router for north-south), if both exist. */
export async function findTopBridge(trx: Trx, projectId: string, kind: BridgeKind, owner: string = projectId): Promise<TopBridge | undefined> {
  const network = await findBridgeNetwork(trx, projectId, kind);
  if (!network) return undefined;
  const subnet = await trx.selectFrom('subnets').selectAll().where('network_id', '=', network.id).where('name', '=', kind.subnetName(owner)).executeTakeFirst();
  return subnet ? { kind, network, subnet } : undefined;
}

/** The bridge subnet pool (made on first use; its id follows from the configured CIDR). */
async function ensurePool(tools: L3Tools): Promise<string> {
  const id = poolId(tools);
  const exists = await tools.db.kysely.selectFrom('subnetpools').select('id').where('id', '=', id).executeTakeFirst();
  if (exists) return id;
  const cidr = tools.settings.bridgeCidr;
  const now = dbNow(tools.db.dialect);
  const values = {
    id,
    project_id: BRIDGE_OWNER,
    name: BRIDGE_POOL_NAME,
    description: 'Tricircle: the bridge subnets of the projects are carved from here',
    ip_version: 4,
    prefixes: JSON.stringify([tools.core.config.tricircle.bridge_cidr]),
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
    const q = tools.db.kysely.insertInto('subnetpools').values(values);
    if (tools.db.dialect === 'mysql') await q.ignore().execute();
    else await q.onConflict((oc) => oc.doNothing()).execute();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return id;
}

const KIND_TEXT = { ew: 'east-west', ns: 'north-south' } as const;

/**
 * The project's bridge of a kind with the subnet of `owner`, made on first use. Making and removing
 * bridges lock the pool row, so two jobs never make two bridges for one project, two subnets for one
 * owner, or hand out one CIDR twice.
 */
export async function ensureTopBridge(tools: L3Tools, projectId: string, kind: BridgeKind, owner: string = projectId): Promise<TopBridge> {
  const existing = await findTopBridge(tools.db.kysely, projectId, kind, owner);
  if (existing) return existing;
  const pool = await ensurePool(tools);
  return inTransaction(tools.db, async (trx) => {
    await lockRow(tools.db, trx, 'subnetpools', pool);
    const again = await findTopBridge(trx, projectId, kind, owner);
    if (again) return again;
    const now = dbNow(tools.db.dialect);
    let network = await findBridgeNetwork(trx, projectId, kind);
    if (!network) {
      const networkId = randomUUID();
      const segment = await allocateSegment(tools.db, trx, tools.settings, networkId, { networkType: tools.settings.bridgeNetworkType });
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
      tools.logger.info({ projectId, kind: kind.kind, networkId, vlan: segment.segmentationId }, 'made a bridge network of a project');
    }
    const poolRow = await trx.selectFrom('subnetpools').selectAll().where('id', '=', pool).executeTakeFirstOrThrow();
    const cidrText = await tools.pools.allocate(trx, poolRow, Math.max(BRIDGE_PREFIXLEN, tools.settings.bridgeCidr.prefixLength), undefined);
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
    tools.logger.info({ projectId, kind: kind.kind, owner, cidr: cidrText }, 'made a bridge subnet');
    return (await findTopBridge(trx, projectId, kind, owner))!;
  });
}

/**
 * Removes a bridge's subnets that no port uses any more and that have no copy in any pod, then the
 * network when it has neither subnets nor copies left. Returns whether the network is gone.
 */
export async function dropTopBridgeIfUnused(tools: L3Tools, projectId: string, kind: BridgeKind): Promise<boolean> {
  if (!(await findBridgeNetwork(tools.db.kysely, projectId, kind))) return true;
  const pool = poolId(tools);
  return inTransaction(tools.db, async (trx) => {
    await lockRow(tools.db, trx, 'subnetpools', pool);
    const network = await findBridgeNetwork(trx, projectId, kind);
    if (!network) return true;
    const subnets = await trx.selectFrom('subnets').select(['id', 'name']).where('network_id', '=', network.id).execute();
    let left = subnets.length;
    for (const s of subnets) {
      const used = await trx.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', s.id).executeTakeFirst();
      const copied = await trx.selectFrom('resource_routings').select('id').where('top_id', '=', s.id).where('resource_type', '=', 'subnet').executeTakeFirst();
      if (used || copied) continue;
      await trx.deleteFrom('subnets').where('id', '=', s.id).execute();
      left--;
    }
    if (left > 0) return false;
    const port = await trx.selectFrom('ports').select('id').where('network_id', '=', network.id).executeTakeFirst();
    const copy = await trx.selectFrom('resource_routings').select('id').where('top_id', '=', network.id).where('resource_type', '=', 'network').executeTakeFirst();
    if (port || copy) return false;
    await releaseSegments(trx, network.id);
    await dropTags(trx, 'networks', [network.id]);
    await trx.deleteFrom('networks').where('id', '=', network.id).execute();
    tools.logger.info({ projectId, kind: kind.kind, networkId: network.id }, 'removed a bridge network of a project');
    return true;
  });
}

/**
 * The bridge as the pods copy it: owned by the tenant's project there (so the pod's routers and
 * ports of the project can use it), external for the north-south one, its subnets with the top's
 * addressing and gateway, DHCP off.
 */
function podView(kind: BridgeKind, network: NetworkRow, subnets: SubnetRow[], projectId: string): { network: Network; subnets: Subnet[] } {
  return {
    network: { ...toNetwork(network), projectId, external: kind.podExternal, azHints: [] },
    subnets: subnets.map((s) => ({ ...toSubnet(s, { external: kind.podExternal }), projectId })),
  };
}

/**
 * The bridge's copy in `pod` with copies of all its subnets (made once through the routing lock,
 * same VLAN and CIDRs everywhere: one L2 segment shows the same subnets in every pod).
 */
export async function ensureBridgeInPod(tools: L3Tools, ctx: BottomCallContext, pod: Pod, kind: BridgeKind, network: NetworkRow, projectId: string): Promise<PodBridge> {
  const rows = await tools.db.kysely.selectFrom('subnets').selectAll().where('network_id', '=', network.id).orderBy('created_at').orderBy('id').execute();
  const view = podView(kind, network, rows, projectId);
  const copy = await tools.builder.ensure(ctx, pod, view.network, view.subnets);
  return { pod, bottomNetworkId: copy.bottomNetworkId, subnets: copy.subnets };
}

/** Pods where a bridge network has a copy. */
export async function bridgePods(tools: L3Tools, networkId: string): Promise<string[]> {
  const rows = await tools.db.kysely.selectFrom('resource_routings').select('pod_id').where('top_id', '=', networkId).where('resource_type', '=', 'network').execute();
  return rows.map((r) => r.pod_id);
}

/** A top port on a bridge subnet, reserved under `key` (a router copy's or a floating IP's bridge address). */
export function reserveBridgePort(tools: L3Tools, bridge: TopBridge, key: string, deviceOwner: string): Promise<Port> {
  return tools.ports.ensureReservedPort({
    key,
    networkId: bridge.network.id,
    subnetId: bridge.subnet.id,
    projectId: BRIDGE_OWNER,
    deviceOwner,
    name: key,
  });
}

/** The address of a reserved bridge port. */
export function bridgeAddress(port: Port): string {
  const ip = port.fixedIps[0]?.ipAddress;
  if (ip === undefined) throw new Error(`bridge port ${port.id} holds no address`);
  return ip;
}

/** Reserved top ports whose key starts with `prefix`. */
export async function reservedPorts(tools: L3Tools, prefix: string): Promise<{ id: string; reserved_for: string }[]> {
  // Keys are made of fixed words and UUIDs: no LIKE wildcard in the prefix; checked again below anyway.
  const rows = await tools.db.kysely.selectFrom('ports').select(['id', 'reserved_for']).where('reserved_for', 'like', `${prefix}%`).execute();
  return rows.filter((r): r is { id: string; reserved_for: string } => r.reserved_for !== null && r.reserved_for.startsWith(prefix));
}

/** Deletes a top bridge port: its copies in the pods first, then the port (its addresses go with it). */
export async function deleteBridgePort(tools: L3Tools, ctx: BottomCallContext, portId: string): Promise<void> {
  const copies = await copiesOf(tools.db.kysely, { ports: [portId] });
  await deleteCopies(tools.db.kysely, { pods: tools.pods, deleter: tools.deleter, logger: tools.logger }, copies, ctx);
  await tools.db.kysely.deleteFrom('resource_routings').where('top_id', '=', portId).where('resource_type', '=', 'port').execute();
  await dropTags(tools.db.kysely, 'ports', [portId]);
  await tools.db.kysely.deleteFrom('ports').where('id', '=', portId).execute();
}

/**
 * Retires a router's own subnet on a bridge once it holds no address (the router left the bridge):
 * its copies in every pod, then the top subnet.
 */
export async function retireRouterSubnet(tools: L3Tools, ctx: BottomCallContext, projectId: string, kind: BridgeKind, routerId: string): Promise<void> {
  if (!kind.subnetPerRouter) return;
  const bridge = await findTopBridge(tools.db.kysely, projectId, kind, routerId);
  if (!bridge) return;
  const kysely = tools.db.kysely;
  if (await kysely.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', bridge.subnet.id).executeTakeFirst()) return;
  const copies = await kysely.selectFrom('resource_routings').select(['id', 'pod_id', 'bottom_id']).where('top_id', '=', bridge.subnet.id).where('resource_type', '=', 'subnet').execute();
  for (const c of copies) {
    const pod = await tools.pods.find(c.pod_id);
    if (pod && c.bottom_id !== null) await new PodL3(pod, tools.neutron(pod), ctx).deleteSubnet(c.bottom_id);
    await kysely.deleteFrom('resource_routings').where('id', '=', c.id).execute();
  }
  await inTransaction(tools.db, async (trx) => {
    await lockRow(tools.db, trx, 'subnetpools', poolId(tools));
    if (await trx.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', bridge.subnet.id).executeTakeFirst()) return;
    if (await trx.selectFrom('resource_routings').select('id').where('top_id', '=', bridge.subnet.id).where('resource_type', '=', 'subnet').executeTakeFirst()) return;
    await trx.deleteFrom('subnets').where('id', '=', bridge.subnet.id).execute();
  });
  tools.logger.info({ projectId, routerId, kind: kind.kind }, 'retired the bridge subnet of a router');
}

/**
 * Removes a bridge's copy from `pod` when no router of the project is on it there (no reserved
 * router address for that pod) and no floating IP's bridge port has a copy there.
 */
export async function dropBridgeFromPodIfUnused(tools: L3Tools, ctx: BottomCallContext, podId: string, projectId: string, kind: BridgeKind): Promise<void> {
  const network = await findBridgeNetwork(tools.db.kysely, projectId, kind);
  if (!network) return;
  const kysely = tools.db.kysely;
  const netCopy = await kysely
    .selectFrom('resource_routings')
    .select('bottom_id')
    .where('top_id', '=', network.id)
    .where('pod_id', '=', podId)
    .where('resource_type', '=', 'network')
    .executeTakeFirst();
  if (!netCopy) return;
  const ports = await kysely.selectFrom('ports').select(['id', 'reserved_for']).where('network_id', '=', network.id).execute();
  if (ports.some((p) => p.reserved_for?.startsWith(kind.routerKeyRoot) && p.reserved_for.endsWith(`:${podId}`))) return;
  if (ports.length > 0) {
    const copied = await kysely
      .selectFrom('resource_routings')
      .select('id')
      .where('resource_type', '=', 'port')
      .where('pod_id', '=', podId)
      .where(
        'top_id',
        'in',
        ports.map((p) => p.id),
      )
      .executeTakeFirst();
    if (copied) return;
  }
  const pod = await tools.pods.find(podId);
  if (pod && netCopy.bottom_id !== null) {
    const neutron = new PodL3(pod, tools.neutron(pod), ctx);
    for (const fip of await neutron.floatingIps({ floating_network_id: netCopy.bottom_id })) await neutron.deleteFloatingIp(fip.id);
    await neutron.deleteNetwork(netCopy.bottom_id);
  }
  const subnets = (await kysely.selectFrom('subnets').select('id').where('network_id', '=', network.id).execute()).map((x) => x.id);
  await kysely
    .deleteFrom('resource_routings')
    .where('pod_id', '=', podId)
    .where((eb) =>
      eb.or([
        eb.and([eb('resource_type', '=', 'network'), eb('top_id', '=', network.id)]),
        eb.and([eb('resource_type', '=', 'subnet'), eb('top_id', 'in', subnets.length ? subnets : ['-'])]),
      ]),
    )
    .execute();
  tools.logger.info({ projectId, podId, kind: kind.kind }, 'removed a bridge network copy from a pod');
}
