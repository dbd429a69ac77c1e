/**
 * Top subnets: addressing lives in the top database only (Tricircle owns IPAM). A subnet create
 * locks its network's row, so concurrent creates cannot add overlapping CIDRs to one network.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { BottomCallContext } from '../../bottom/index.js';
import { ApiError } from '../../common/index.js';
import { dbNow, isForeignKeyViolation } from '../../db/index.js';
import { copiesOf, deleteCopies, dropRoutingRows } from '../bottomCopies.js';
import type { NetworkDeps } from '../deps.js';
import { copyExternalOrUndo } from '../networks/externalCopy.js';
import { bad, badResourceRequest, conflict, invalidInput, notFound } from '../errors.js';
import { owningProject } from '../input.js';
import { parseCidr, parseIp, rangesOverlap, type Cidr } from '../ip.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import { isAutoDeletedPort, type NetworkService } from '../networks/service.js';
import { owns, requireOwner, type Caller } from '../policy.js';
import { applyFilters, inIdOrder, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import type { SubnetpoolService } from '../subnetpools/service.js';
import { NETWORK_SYNC_JOB, syncJobsOf } from '../rbac/jobs.js';
import { sharedWith } from '../rbac/service.js';
import { dropTags, tagsOf } from '../tags.js';
import { fromBool, inTransaction, lockRow, type Trx } from '../tx.js';
import { checkGateway, checkHostRoutes, checkIpv6Modes, checkPools, defaultGateway, defaultPools, MAX_DNS_NAMESERVERS, MAX_HOST_ROUTES, type Pool } from './addressing.js';
import type { SubnetCreateInput, SubnetPatch } from './input.js';
import { toSubnet, type Subnet, type SubnetRow } from './model.js';

export const SUBNET_LIST: ListSchema = {
  collection: 'subnets',
  idColumn: 'subnets.id',
  attrs: {
    id: { kind: 'string', column: 'subnets.id', sortable: true },
    name: { kind: 'string', column: 'subnets.name', sortable: true },
    description: { kind: 'string', column: 'subnets.description', sortable: true },
    network_id: { kind: 'string', column: 'subnets.network_id', sortable: true },
    ip_version: { kind: 'int', column: 'subnets.ip_version', sortable: true },
    cidr: { kind: 'string', column: 'subnets.cidr', sortable: true },
    gateway_ip: { kind: 'string', column: 'subnets.gateway_ip' },
    enable_dhcp: { kind: 'bool', column: 'subnets.enable_dhcp', sortable: true },
    ipv6_ra_mode: { kind: 'string', column: 'subnets.ipv6_ra_mode' },
    ipv6_address_mode: { kind: 'string', column: 'subnets.ipv6_address_mode' },
    subnetpool_id: { kind: 'string', column: 'subnets.subnetpool_id' },
    'router:external': { kind: 'bool', column: 'networks.external' },
    revision_number: { kind: 'int', column: 'subnets.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'subnets.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'subnets.updated_at', sortable: true },
    ...projectFilters('subnets.project_id'),
    ...tagFilters('subnets', 'subnets.id'),
  },
};

/**
 * Subnets a caller sees: its own, and those of shared networks (shared flag or RBAC). As in Neutron, an external
 * network is visible to every project but its subnets are not, unless the network is also shared.
 */
export function visibleSubnet(caller: Caller) {
  return (eb: AnyEb) =>
    caller.isAdmin
      ? sql<boolean>`1 = 1`
      : eb.or([
          eb('subnets.project_id', '=', caller.projectId),
          eb('networks.shared', '=', 1),
          sharedWith(eb, 'network', 'networks.id', caller.projectId, ['access_as_shared', 'access_as_external']),
        ]);
}

type SubnetJoinRow = SubnetRow & { net_external: number; net_project_id: string };

const sameVersion = (name: string, addr: string, version: 4 | 6) => {
  if (parseIp(addr)?.version !== version) throw invalidInput(`${name} '${addr}' does not match the ip_version '${version}'`);
};

export class SubnetService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly networks: NetworkService,
    private readonly pools: SubnetpoolService,
  ) {}

  private get db() {
    return this.deps.db;
  }

  private base(trx: Trx, caller: Caller): AnySelect {
    return trx
      .selectFrom('subnets')
      .innerJoin('networks', 'networks.id', 'subnets.network_id')
      .selectAll('subnets')
      .select(['networks.external as net_external', 'networks.project_id as net_project_id'])
      .where(visibleSubnet(caller)) as AnySelect;
  }

  async findVisible(trx: Trx, caller: Caller, id: string): Promise<SubnetJoinRow | undefined> {
    return (await this.base(trx, caller).where('subnets.id', '=', id).executeTakeFirst()) as SubnetJoinRow | undefined;
  }

  async create(caller: Caller & Partial<BottomCallContext>, inputs: SubnetCreateInput[]): Promise<Subnet[]> {
    const prepared: { id: string; projectId: string; input: SubnetCreateInput; external: boolean }[] = [];
    for (const input of inputs) {
      const network = await this.networks.findVisibleRow(this.db.kysely, caller, input.networkId);
      if (!network) throw notFound.network(input.networkId);
      const projectId = owningProject({ project_id: input.project_id, tenant_id: input.tenant_id }, caller);
      if (!caller.isAdmin && network.project_id !== projectId && !network.shared) {
        throw new ApiError(404, `Tenant ${projectId} not allowed to create subnet on this network`, 'HTTPNotFound');
      }
      requireOwner(caller, network.project_id, 'create_subnet');
      prepared.push({ id: randomUUID(), projectId, input, external: Boolean(Number(network.external)) });
    }
    await inTransaction(this.db, async (trx) => {
      await this.deps.quotas.admit(trx, 'subnet', prepared);
      for (const p of prepared) await this.insert(trx, caller, p.id, p.projectId, p.input);
    });
    // Subnets of external networks are copied into the network's pod at once; a pod failure undoes the request.
    const external = prepared.filter((p) => p.external);
    await copyExternalOrUndo(
      this.deps,
      external.map((p) => p.input.networkId),
      caller,
      `Create of subnet ${external.map((p) => p.id).join(', ')}`,
      async () => {
        const asAdmin = { projectId: caller.projectId, isAdmin: true, requestId: caller.requestId ?? '' };
        for (const p of prepared) await this.delete(asAdmin, p.id);
      },
    );
    return this.byIds(prepared.map((p) => p.id));
  }

  private async insert(trx: Trx, caller: Caller, id: string, projectId: string, input: SubnetCreateInput): Promise<void> {
    const networkId = input.networkId;
    if (!(await lockRow(this.db, trx, 'networks', networkId))) throw notFound.network(networkId);
    const { cidr: cidrText, poolId } = await this.chooseCidr(trx, caller, input);
    const cidr = parseCidr(cidrText)!;
    if (cidr.version !== input.ipVersion) throw invalidInput(`cidr '${cidrText}' does not match the ip_version '${input.ipVersion}'`);

    const gateway = input.gatewayIp === undefined ? defaultGateway(cidr) : input.gatewayIp;
    if (gateway !== null) sameVersion('gateway_ip', gateway, input.ipVersion);
    let pools: Pool[];
    if (input.allocationPools !== undefined) {
      for (const p of input.allocationPools) {
        sameVersion('allocation_pools', p.start, input.ipVersion);
        sameVersion('allocation_pools', p.end, input.ipVersion);
      }
      checkPools(cidr, cidrText, input.allocationPools);
      pools = input.allocationPools;
    } else {
      pools = defaultPools(cidr, gateway);
    }
    checkGateway(cidr, gateway, pools);
    this.checkLists(id, cidr, input);
    const enableDhcp = input.enableDhcp ?? true;
    checkIpv6Modes(cidr, cidrText, { raMode: input.ipv6RaMode ?? null, addressMode: input.ipv6AddressMode ?? null }, enableDhcp);

    const siblings = await trx.selectFrom('subnets').select(['cidr']).where('network_id', '=', networkId).execute();
    if (siblings.some((s) => rangesOverlap(parseCidr(s.cidr)!, cidr))) {
      throw invalidInput(`Requested subnet with cidr: ${cidrText} for network: ${networkId} overlaps with another subnet`);
    }
    const now = dbNow(this.db.dialect);
    await trx
      .insertInto('subnets')
      .values({
        id,
        project_id: projectId,
        network_id: networkId,
        name: input.name ?? '',
        description: input.description ?? '',
        ip_version: input.ipVersion,
        cidr: cidrText,
        gateway_ip: gateway,
        enable_dhcp: fromBool(enableDhcp),
        ipv6_ra_mode: input.ipv6RaMode ?? null,
        ipv6_address_mode: input.ipv6AddressMode ?? null,
        allocation_pools: JSON.stringify(pools),
        dns_nameservers: JSON.stringify(input.dnsNameservers ?? []),
        host_routes: JSON.stringify(input.hostRoutes ?? []),
        service_types: JSON.stringify(input.serviceTypes ?? []),
        subnetpool_id: poolId,
        revision_number: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await this.bumpNetwork(trx, networkId);
  }

  /** The request's CIDR, or one carved from its subnet pool (the given one or the default of its family). */
  private async chooseCidr(trx: Trx, caller: Caller, input: SubnetCreateInput): Promise<{ cidr: string; poolId: string | null }> {
    let poolId = input.subnetpoolId ?? undefined;
    if (poolId === undefined && input.useDefaultSubnetpool) {
      const pool = await this.pools.defaultPool(trx, caller, input.ipVersion);
      if (!pool) throw badResourceRequest('subnets', `No default subnetpool found for IPv${input.ipVersion}`);
      poolId = pool.id;
    }
    if (poolId === undefined) {
      if (input.cidr === undefined) throw badResourceRequest('subnets', 'a subnetpool must be specified in the absence of a cidr');
      if (input.prefixlen !== undefined) throw badResourceRequest('subnets', 'prefixlen is only allowed with a subnetpool');
      return { cidr: input.cidr, poolId: null };
    }
    const pool = await this.pools.findVisible(trx, caller, poolId);
    if (!pool) throw notFound.subnetpool(poolId);
    if (Number(pool.ip_version) !== input.ipVersion) {
      throw badResourceRequest('subnets', `Cannot allocate IPv${input.ipVersion} subnet from IPv${pool.ip_version} subnet pool`);
    }
    return { cidr: await this.pools.allocate(trx, pool, input.prefixlen, input.cidr), poolId: pool.id };
  }

  private checkLists(id: string, cidr: Cidr, input: SubnetPatch): void {
    for (const ns of input.dnsNameservers ?? []) sameVersion('dns_nameservers', ns, cidr.version);
    if ((input.dnsNameservers ?? []).length > MAX_DNS_NAMESERVERS) throw bad.dnsNameserversExhausted(id, MAX_DNS_NAMESERVERS);
    if ((input.hostRoutes ?? []).length > MAX_HOST_ROUTES) throw bad.hostRoutesExhausted(id, MAX_HOST_ROUTES);
    checkHostRoutes(cidr, input.hostRoutes ?? []);
  }

  private async bumpNetwork(trx: Trx, networkId: string): Promise<void> {
    await trx
      .updateTable('networks')
      .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: dbNow(this.db.dialect) }))
      .where('id', '=', networkId)
      .execute();
  }

  async list(caller: Caller, params: ListParams): Promise<Subnet[]> {
    const base = this.base(this.db.kysely, caller);
    const rows = await pageOf<SubnetJoinRow>(applyFilters(base, SUBNET_LIST, params), SUBNET_LIST, params, (id) => base.where('subnets.id', '=', id).executeTakeFirst());
    return this.hydrate(rows);
  }

  async get(caller: Caller, id: string): Promise<Subnet> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw notFound.subnet(id);
    return (await this.hydrate([row]))[0];
  }

  async update(caller: Caller, id: string, patch: SubnetPatch): Promise<Subnet> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw notFound.subnet(id);
    if (!owns(caller, row.project_id)) requireOwner(caller, row.net_project_id, 'update_subnet');
    const sync = syncJobsOf(this.deps);
    let job = '';
    await inTransaction(this.db, async (trx) => {
      if (!(await lockRow(this.db, trx, 'subnets', id))) throw notFound.subnet(id);
      const current = toSubnet((await trx.selectFrom('subnets').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as SubnetRow);
      const cidr = parseCidr(current.cidr)!;
      const gateway = patch.gatewayIp === undefined ? current.gatewayIp : patch.gatewayIp;
      if (gateway !== null) sameVersion('gateway_ip', gateway, current.ipVersion);
      const pools = patch.allocationPools ?? current.allocationPools;
      if (patch.allocationPools !== undefined) {
        for (const p of patch.allocationPools) {
          sameVersion('allocation_pools', p.start, current.ipVersion);
          sameVersion('allocation_pools', p.end, current.ipVersion);
        }
        checkPools(cidr, current.cidr, patch.allocationPools);
      }
      checkGateway(cidr, gateway, pools);
      if (patch.gatewayIp !== undefined && gateway !== null && gateway !== current.gatewayIp) {
        const holder = await trx.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', id).where('ip_address', '=', gateway).executeTakeFirst();
        if (holder) throw conflict.gatewayIpInUse(gateway, holder.port_id);
      }
      this.checkLists(id, cidr, patch);
      if (patch.enableDhcp === false && (current.ipv6RaMode !== null || current.ipv6AddressMode !== null)) {
        throw invalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
      }
      await trx
        .updateTable('subnets')
        .set((eb) => ({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.gatewayIp !== undefined ? { gateway_ip: patch.gatewayIp } : {}),
          ...(patch.allocationPools !== undefined ? { allocation_pools: JSON.stringify(patch.allocationPools) } : {}),
          ...(patch.dnsNameservers !== undefined ? { dns_nameservers: JSON.stringify(patch.dnsNameservers) } : {}),
          ...(patch.hostRoutes !== undefined ? { host_routes: JSON.stringify(patch.hostRoutes) } : {}),
          ...(patch.enableDhcp !== undefined ? { enable_dhcp: fromBool(patch.enableDhcp) } : {}),
          ...(patch.serviceTypes !== undefined ? { service_types: JSON.stringify(patch.serviceTypes) } : {}),
          revision_number: eb('revision_number', '+', 1),
          updated_at: dbNow(this.db.dialect),
        }))
        .where('id', '=', id)
        .execute(); // The pods' copies of the subnet follow (gateway, pools, DNS servers, host routes).
      job = await sync.request(trx, NETWORK_SYNC_JOB, current.networkId, row.net_project_id);
    });
    sync.signal([job]);
    return this.get(caller, id);
  }

  /**
   * Deletes a subnet and its copies in the pods. Refused (409 SubnetInUse) while user ports hold
   * addresses in it; Tricircle's reserved ports that lived only for this subnet go with it, and DHCP
   * ports lose their address in it.
   */
  async delete(caller: Caller & BottomCallContext, id: string): Promise<void> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw notFound.subnet(id);
    if (!owns(caller, row.project_id)) requireOwner(caller, row.net_project_id, 'delete_subnet');
    const plan = await this.deletePlan(this.db.kysely, id);
    const copies = await copiesOf(this.deps.routings, { subnets: [id], ports: plan.portsToDelete });
    await deleteCopies(this.deps.routings, { pods: this.deps.pods, deleter: this.deps.podSide.copies, logger: this.deps.logger }, copies, caller);
    try {
      await inTransaction(this.db, async (trx) => {
        if (!(await lockRow(this.db, trx, 'networks', row.network_id))) return;
        const again = await this.deletePlan(trx, id);
        await trx
          .deleteFrom('ip_allocations')
          .where('subnet_id', '=', id)
          .where('port_id', 'in', again.autoPorts.length ? again.autoPorts : ['-'])
          .execute();
        if (again.portsToDelete.length) {
          await dropTags(trx, 'ports', again.portsToDelete);
          await trx.deleteFrom('ports').where('id', 'in', again.portsToDelete).execute();
        }
        await dropTags(trx, 'subnets', [id]);
        await dropRoutingRows(this.deps.routings.in(trx), { subnets: [id], ports: again.portsToDelete });
        await trx.deleteFrom('subnets').where('id', '=', id).execute();
        await this.bumpNetwork(trx, row.network_id);
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw conflict.subnetInUse(id);
      throw err;
    }
  }

  /** Which ports hold addresses in the subnet: 409 for user ports; reserved ports with no other address are deleted. */
  private async deletePlan(trx: Trx, subnetId: string): Promise<{ autoPorts: string[]; portsToDelete: string[] }> {
    const holders = await trx
      .selectFrom('ip_allocations')
      .innerJoin('ports', 'ports.id', 'ip_allocations.port_id')
      .select(['ports.id as id', 'ports.device_owner as device_owner', 'ports.reserved_for as reserved_for'])
      .where('ip_allocations.subnet_id', '=', subnetId)
      .execute();
    if (holders.some((h) => !isAutoDeletedPort(h))) throw conflict.subnetInUse(subnetId);
    const autoPorts = [...new Set(holders.map((h) => h.id))];
    const portsToDelete: string[] = [];
    for (const h of holders) {
      if (h.reserved_for === null || portsToDelete.includes(h.id)) continue;
      const elsewhere = await trx.selectFrom('ip_allocations').select('subnet_id').where('port_id', '=', h.id).where('subnet_id', '!=', subnetId).executeTakeFirst();
      if (!elsewhere) portsToDelete.push(h.id);
    }
    return { autoPorts, portsToDelete };
  }

  private async byIds(ids: string[]): Promise<Subnet[]> {
    const rows = (await this.base(this.db.kysely, { projectId: '', isAdmin: true }).where('subnets.id', 'in', ids).execute()) as SubnetJoinRow[];
    return this.hydrate(inIdOrder(ids, rows));
  }

  private async hydrate(rows: SubnetJoinRow[]): Promise<Subnet[]> {
    const tags = await tagsOf(
      this.db.kysely,
      'subnets',
      rows.map((r) => r.id),
    );
    return rows.map((r) => toSubnet(r, { external: Boolean(Number(r.net_external)), tags: tags.get(r.id) }));
  }
}
