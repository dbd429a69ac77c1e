/**
 * Top networks: defined once at the top, in the top database only. Creating one reserves its segment
 * (a VLAN id for vlan networks) and checks its AZ hints; nothing is created in any pod until a pod
 * needs the network. Deleting one deletes its copies in every pod.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { BottomCallContext } from '../../bottom/index.js';
import { dbNow, isForeignKeyViolation } from '../../db/index.js';
import { checkAzHints } from '../availabilityZones.js';
import { copiesOf, deleteCopies, dropRoutingRows } from '../bottomCopies.js';
import type { NetworkDeps } from '../deps.js';
import { copyExternalOrUndo } from './externalCopy.js';
import { conflict, invalidInput, notFound } from '../errors.js';
import { owningProject } from '../input.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { owns, requireAdminForAttributes, requireOwner, type Caller } from '../policy.js';
import { applyFilters, inIdOrder, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import { allocateSegment, hasProviderAttributes, NO_SEGMENT, releaseSegments } from '../segments.js';
import { checkQosPolicyRef } from '../qos/service.js';
import { NETWORK_SYNC_JOB, syncJobsOf } from '../rbac/jobs.js';
import { setWildcardShare, sharedWith } from '../rbac/service.js';
import { dropTags, tagsOf } from '../tags.js';
import { fromBool, inTransaction, lockRow, type Trx } from '../tx.js';
import type { NetworkCreateInput, NetworkPatch } from './input.js';
import { insertNetwork } from './insert.js';
import { toNetwork, type Network, type NetworkRow } from './model.js';

export const NETWORK_LIST: ListSchema = {
  collection: 'networks',
  idColumn: 'networks.id',
  attrs: {
    id: { kind: 'string', column: 'networks.id', sortable: true },
    name: { kind: 'string', column: 'networks.name', sortable: true },
    description: { kind: 'string', column: 'networks.description', sortable: true },
    admin_state_up: { kind: 'bool', column: 'networks.admin_state_up', sortable: true },
    shared: { kind: 'bool', column: 'networks.shared', sortable: true },
    'router:external': { kind: 'bool', column: 'networks.external', sortable: true },
    port_security_enabled: { kind: 'bool', column: 'networks.port_security_enabled', sortable: true },
    mtu: { kind: 'int', column: 'networks.mtu', sortable: true },
    is_default: { kind: 'bool', column: 'networks.is_default' },
    qos_policy_id: { kind: 'string', column: 'networks.qos_policy_id' },
    status: { kind: 'constant', value: 'ACTIVE' },
    'provider:network_type': { kind: 'string', column: 'networks.network_type' },
    'provider:physical_network': { kind: 'string', column: 'networks.physical_network' },
    'provider:segmentation_id': { kind: 'int', column: 'networks.segmentation_id' },
    revision_number: { kind: 'int', column: 'networks.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'networks.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'networks.updated_at', sortable: true },
    ...projectFilters('networks.project_id'),
    ...tagFilters('networks', 'networks.id'),
  },
};

/** Owner filter of networks: admins see all; others their own, shared and external networks. */
export function visibleNetwork(caller: Caller) {
  return (eb: AnyEb) =>
    caller.isAdmin
      ? sql<boolean>`1 = 1`
      : eb.or([
          eb('networks.project_id', '=', caller.projectId),
          eb('networks.shared', '=', 1),
          eb('networks.external', '=', 1),
          sharedWith(eb, 'network', 'networks.id', caller.projectId, ['access_as_shared', 'access_as_external']),
        ]);
}

/** Ports a network delete removes with it instead of refusing (as upstream's DHCP ports), plus Tricircle's reserved ports. */
export const isAutoDeletedPort = (p: { device_owner: string; reserved_for: string | null }): boolean =>
  p.reserved_for !== null || p.device_owner === 'network:dhcp' || p.device_owner === 'network:distributed';

/** What a network delete asks of the L3 side: removing the unassociated floating IPs on an external network. */
export interface NetworkDeleteHooks {
  deleteUnassociatedFloatingIps(caller: Caller & BottomCallContext, networkId: string): Promise<void>;
}

export class NetworkService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly hooks?: NetworkDeleteHooks,
  ) {}

  private get db() {
    return this.deps.db;
  }

  /** The network's row if the caller may see it. */
  async findVisibleRow(trx: Trx, caller: Caller, id: string): Promise<NetworkRow | undefined> {
    return trx.selectFrom('networks').selectAll('networks').where('networks.id', '=', id).where(visibleNetwork(caller)).executeTakeFirst();
  }

  /** The pods (regions) that host the external networks on a physical network. */
  private async externalRegionsOn(physnet: string): Promise<string[]> {
    const rows = await this.db.kysely.selectFrom('networks').select('availability_zone_hints').where('external', '=', 1).where('physical_network', '=', physnet).execute();
    return rows.flatMap((r) => {
      try {
        return JSON.parse(r.availability_zone_hints) as string[];
      } catch {
        return [];
      }
    });
  }

  async create(caller: Caller & Partial<BottomCallContext>, inputs: NetworkCreateInput[]): Promise<Network[]> {
    const prepared: { id: string; projectId: string; external: boolean; azHints: string[]; input: NetworkCreateInput }[] = [];
    for (const input of inputs) {
      const projectId = owningProject({ project_id: input.project_id, tenant_id: input.tenant_id }, caller);
      const adminOnly = [
        ...(input.shared === true ? ['shared'] : []),
        ...(input.external === true ? ['router:external'] : []),
        ...(input.isDefault !== undefined ? ['is_default'] : []),
        ...providerKeys(input),
      ];
      requireAdminForAttributes(caller, 'create_network', adminOnly);
      const external = input.external ?? false;
      const physnetName = input.provider.physicalNetwork;
      const physnet = physnetName ? { name: physnetName, regions: () => this.externalRegionsOn(physnetName) } : undefined;
      const azHints = await checkAzHints(this.deps.pods, this.deps.settings, input.azHints ?? [], external, physnet);
      prepared.push({ id: randomUUID(), projectId, external, azHints, input });
    }
    await inTransaction(this.db, async (trx) => {
      await this.deps.quotas.admit(trx, 'network', prepared);
      for (const p of prepared) {
        if (p.input.qosPolicyId !== undefined) await checkQosPolicyRef(trx, caller, p.input.qosPolicyId);
        const isDefault = p.external && p.input.isDefault === true;
        if (isDefault) await assertNoOtherDefault(trx, p.id);
        const segment =
          p.external && !hasProviderAttributes(p.input.provider) ? NO_SEGMENT : await allocateSegment(this.db, trx, this.deps.settings, p.id, p.input.provider, p.projectId);
        const network = {
          id: p.id,
          project_id: p.projectId,
          name: p.input.name ?? '',
          description: p.input.description ?? '',
          admin_state_up: fromBool(p.input.adminStateUp ?? true),
          shared: fromBool(p.input.shared ?? false),
          external: fromBool(p.external),
          port_security_enabled: fromBool(p.input.portSecurityEnabled ?? true),
          mtu: p.input.mtu ?? 1500,
          qos_policy_id: p.input.qosPolicyId ?? null,
          is_default: fromBool(isDefault),
          availability_zone_hints: JSON.stringify(p.azHints),
        };
        await insertNetwork(trx, network, segment, dbNow(this.db.dialect));
        if (p.input.shared === true) await setWildcardShare(this.db, trx, 'network', p.id, p.projectId, true);
      }
    });
    // External networks are made in their pod at once; a pod failure undoes the whole request.
    const external = prepared.filter((p) => p.external).map((p) => p.id);
    await copyExternalOrUndo(this.deps, external, caller, `Create of external network ${external.join(', ')}`, async () => {
      const asAdmin = { projectId: caller.projectId, isAdmin: true, requestId: caller.requestId ?? '' };
      for (const p of prepared) await this.delete(asAdmin, p.id);
    });
    return this.byIds(prepared.map((p) => p.id));
  }

  async list(caller: Caller, params: ListParams): Promise<Network[]> {
    const base = this.db.kysely.selectFrom('networks').selectAll('networks').where(visibleNetwork(caller)) as AnySelect;
    const rows = await pageOf<NetworkRow>(applyFilters(base, NETWORK_LIST, params), NETWORK_LIST, params, (id) => base.where('networks.id', '=', id).executeTakeFirst());
    return this.hydrate(rows);
  }

  async get(caller: Caller, id: string): Promise<Network> {
    const row = await this.findVisibleRow(this.db.kysely, caller, id);
    if (!row) throw notFound.network(id);
    return (await this.hydrate([row]))[0];
  }

  async update(caller: Caller, id: string, patch: NetworkPatch): Promise<Network> {
    const row = await this.findVisibleRow(this.db.kysely, caller, id);
    if (!row) throw notFound.network(id);
    requireOwner(caller, row.project_id, 'update_network');
    const adminOnly = [
      ...(patch.shared !== undefined ? ['shared'] : []),
      ...(patch.external !== undefined ? ['router:external'] : []),
      ...(patch.isDefault !== undefined ? ['is_default'] : []),
      ...providerKeys(patch),
    ];
    requireAdminForAttributes(caller, 'update_network', adminOnly);
    const current = toNetwork(row);
    const p = patch.provider;
    if (
      (p.networkType !== undefined && p.networkType !== current.segment.networkType) ||
      (p.physicalNetwork !== undefined && p.physicalNetwork !== current.segment.physicalNetwork) ||
      (p.segmentationId !== undefined && p.segmentationId !== current.segment.segmentationId)
    ) {
      throw invalidInput('Plugin does not support updating provider attributes');
    }
    // Internal → external only while no pod holds a copy: its one pod is chosen now, as at create.
    let externalHints: string[] | undefined;
    if (patch.external !== undefined && patch.external !== current.external) {
      if (!patch.external) throw invalidInput('router:external cannot be unset on an existing network: its copy in its pod serves routers and floating IPs');
      if ((await copiesOf(this.deps.routings, { networks: [id] })).length) {
        throw invalidInput('router:external can only be set on a network that has no copy in a pod yet: an external network lives in the one pod chosen for it');
      }
      const physnetName = current.segment.physicalNetwork;
      const physnet = physnetName ? { name: physnetName, regions: () => this.externalRegionsOn(physnetName) } : undefined;
      externalHints = await checkAzHints(this.deps.pods, this.deps.settings, [], true, physnet);
    }
    const sync = syncJobsOf(this.deps);
    let job = '';
    await inTransaction(this.db, async (trx) => {
      if (!(await lockRow(this.db, trx, 'networks', id))) throw notFound.network(id);
      if (patch.qosPolicyId !== undefined) await checkQosPolicyRef(trx, caller, patch.qosPolicyId);
      // As upstream, is_default is kept on external networks only (an internal network ignores it).
      const isDefault = current.external ? patch.isDefault : undefined;
      if (isDefault === true) await assertNoOtherDefault(trx, id);
      if (patch.shared === false && current.shared) {
        const foreignPort = await trx.selectFrom('ports').select('id').where('network_id', '=', id).where('project_id', '!=', row.project_id).executeTakeFirst();
        const foreignSubnet = await trx.selectFrom('subnets').select('id').where('network_id', '=', id).where('project_id', '!=', row.project_id).executeTakeFirst();
        if (foreignPort || foreignSubnet) throw conflict.invalidSharedSetting(id);
      }
      await trx
        .updateTable('networks')
        .set((eb) => ({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.adminStateUp !== undefined ? { admin_state_up: fromBool(patch.adminStateUp) } : {}),
          ...(patch.shared !== undefined ? { shared: fromBool(patch.shared) } : {}),
          ...(patch.portSecurityEnabled !== undefined ? { port_security_enabled: fromBool(patch.portSecurityEnabled) } : {}),
          ...(patch.mtu !== undefined ? { mtu: patch.mtu } : {}),
          ...(patch.qosPolicyId !== undefined ? { qos_policy_id: patch.qosPolicyId } : {}),
          ...(isDefault !== undefined ? { is_default: fromBool(isDefault) } : {}),
          ...(externalHints ? { external: 1, availability_zone_hints: JSON.stringify(externalHints) } : {}),
          revision_number: eb('revision_number', '+', 1),
          updated_at: dbNow(this.db.dialect),
        }))
        .where('id', '=', id)
        .execute();
      if (patch.shared !== undefined) await setWildcardShare(this.db, trx, 'network', id, row.project_id, patch.shared);
      // The pods' copies follow (MTU, admin state, sharing, QoS; the subnets' attributes too).
      job = await sync.request(trx, NETWORK_SYNC_JOB, id, row.project_id);
    });
    sync.signal([job]);
    if (externalHints) {
      // Made in its pod at once, as a new external network is; a pod failure puts the network back.
      await copyExternalOrUndo(this.deps, [id], caller, `Update of network ${id}`, async () => {
        await this.db.kysely.updateTable('networks').set({ external: 0, availability_zone_hints: row.availability_zone_hints }).where('id', '=', id).execute();
      });
    }
    return this.get(caller, id);
  }

  /**
   * Deletes a network with its subnets and Tricircle's own ports on it, after its copies in the pods.
   * Refused (409 NetworkInUse) while user ports remain.
   */
  async delete(caller: Caller & BottomCallContext, id: string): Promise<void> {
    const row = await this.findVisibleRow(this.db.kysely, caller, id);
    if (!row) throw notFound.network(id);
    requireOwner(caller, row.project_id, 'delete_network');
    // As upstream, an external network's unassociated floating IPs go with it (associated ones keep it
    // in use): their ports do not block, and they are deleted once nothing else does.
    const looseFips = row.external && this.hooks ? await this.unassociatedFloatingIpPorts(id) : new Set<string>();
    const blocking = (await this.portsOn(this.db.kysely, id)).filter((p) => !isAutoDeletedPort(p) && !looseFips.has(p.id));
    if (blocking.length)
      throw conflict.networkInUse(
        id,
        blocking.map((p) => p.id),
      );
    if (looseFips.size) await this.hooks?.deleteUnassociatedFloatingIps(caller, id);
    const held = await this.portsOn(this.db.kysely, id);
    const subnetIds = (await this.db.kysely.selectFrom('subnets').select('id').where('network_id', '=', id).execute()).map((s) => s.id);
    const portIds = held.map((p) => p.id);

    const copies = await copiesOf(this.deps.routings, { networks: [id], subnets: subnetIds, ports: portIds });
    await deleteCopies(this.deps.routings, { pods: this.deps.pods, deleter: this.deps.podSide.copies, logger: this.deps.logger }, copies, caller);

    try {
      await inTransaction(this.db, async (trx) => {
        if (!(await lockRow(this.db, trx, 'networks', id))) return;
        const ports = await this.portsOn(trx, id);
        const late = ports.filter((p) => !isAutoDeletedPort(p));
        if (late.length)
          throw conflict.networkInUse(
            id,
            late.map((p) => p.id),
          );
        const subnets = (await trx.selectFrom('subnets').select('id').where('network_id', '=', id).execute()).map((s) => s.id);
        const ids = ports.map((p) => p.id);
        if (ids.length) {
          await dropTags(trx, 'ports', ids);
          await trx.deleteFrom('ports').where('id', 'in', ids).execute();
        }
        if (subnets.length) {
          await dropTags(trx, 'subnets', subnets);
          await trx.deleteFrom('subnets').where('id', 'in', subnets).execute();
        }
        await releaseSegments(trx, id);
        await dropTags(trx, 'networks', [id]);
        await trx.deleteFrom('rbac_policies').where('object_type', '=', 'network').where('object_id', '=', id).execute();
        await trx.deleteFrom('auto_allocated_topologies').where('network_id', '=', id).execute();
        await dropRoutingRows(this.deps.routings.in(trx), { networks: [id], subnets, ports: ids });
        await trx.deleteFrom('networks').where('id', '=', id).execute();
      });
    } catch (err) {
      // A port created while the network was being deleted holds a key on it.
      if (isForeignKeyViolation(err)) throw conflict.networkInUse(id, []);
      throw err;
    }
  }

  private async unassociatedFloatingIpPorts(networkId: string): Promise<Set<string>> {
    const rows = await this.db.kysely
      .selectFrom('floatingips')
      .select('floating_port_id')
      .where('floating_network_id', '=', networkId)
      .where('fixed_port_id', 'is', null)
      .execute();
    return new Set(rows.map((r) => r.floating_port_id));
  }

  private portsOn(trx: Trx, networkId: string) {
    return trx.selectFrom('ports').select(['id', 'device_owner', 'reserved_for']).where('network_id', '=', networkId).execute();
  }

  private async byIds(ids: string[]): Promise<Network[]> {
    const rows = await this.db.kysely.selectFrom('networks').selectAll().where('id', 'in', ids).execute();
    return this.hydrate(inIdOrder(ids, rows));
  }

  /** Adds subnet ids, AZs and tags to rows. */
  async hydrate(rows: NetworkRow[]): Promise<Network[]> {
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    const kysely = this.db.kysely;
    const [subnets, azs, tags] = await Promise.all([
      kysely.selectFrom('subnets').select(['id', 'network_id']).where('network_id', 'in', ids).orderBy('created_at').orderBy('id').execute(),
      this.deps.routings.availabilityZonesOfCopies('network', ids),
      tagsOf(kysely, 'networks', ids),
    ]);
    const subnetIds = new Map<string, string[]>();
    for (const s of subnets) subnetIds.set(s.network_id, [...(subnetIds.get(s.network_id) ?? []), s.id]);
    return rows.map((r) => toNetwork(r, { subnetIds: subnetIds.get(r.id), availabilityZones: azs.get(r.id), tags: tags.get(r.id) }));
  }
}

/** 409 when another network is the default external network (one default per deployment, as upstream). */
async function assertNoOtherDefault(trx: Trx, id: string): Promise<void> {
  const other = await trx.selectFrom('networks').select('id').where('is_default', '=', 1).where('external', '=', 1).where('id', '!=', id).executeTakeFirst();
  if (other) throw conflict.defaultExternalNetworkExists(other.id);
}

/** The deployment's default external network (auto-allocated topology), if one is marked. */
export async function defaultExternalNetwork(trx: Trx): Promise<string | undefined> {
  const row = await trx.selectFrom('networks').select('id').where('is_default', '=', 1).where('external', '=', 1).orderBy('created_at').orderBy('id').executeTakeFirst();
  return row?.id;
}

function providerKeys(input: { provider: { networkType?: string; physicalNetwork?: string | null; segmentationId?: number | null } }): string[] {
  return [
    ...(input.provider.networkType !== undefined ? ['provider:network_type'] : []),
    ...(input.provider.physicalNetwork !== undefined ? ['provider:physical_network'] : []),
    ...(input.provider.segmentationId !== undefined ? ['provider:segmentation_id'] : []),
  ];
}

export { owns };
