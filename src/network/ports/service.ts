/**
 * Top ports: the top owns their MAC and IP addresses (pods' copies take the same ones). Visible to
 * their project and to the owner of their network.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { BottomCallContext } from '../../bottom/index.js';
import { ApiError } from '../../common/index.js';
import { dbNow, isForeignKeyViolation, isUniqueViolation } from '../../db/index.js';
import { copiesOf, deleteCopies, dropRoutingRows } from '../bottomCopies.js';
import type { NetworkDeps } from '../deps.js';
import { bad, conflict, notFound, policyNotAuthorized } from '../errors.js';
import { owningProject } from '../input.js';
import { projectFilters, tagFilters } from '../listAttrs.js';
import type { NetworkService } from '../networks/service.js';
import { checkQosPolicyRef } from '../qos/service.js';
import { refuseTrunkPortDelete, trunkDetailsOf } from '../trunks/service.js';
import { PORT_FORWARDING_SYNC_JOB, PORT_SYNC_JOB, syncJobsOf } from '../rbac/jobs.js';
import { rbacGrants } from '../rbac/service.js';
import { owns, requireOwner, type Caller } from '../policy.js';
import { applyFilters, inIdOrder, pageOf, type AnyEb, type AnySelect, type ListParams, type ListSchema } from '../query.js';
import type { SecurityGroupLookup } from '../securityGroupLookup.js';
import { dropTags, tagsOf } from '../tags.js';
import { fromBool, inTransaction, lockRow, toBool, type Trx } from '../tx.js';
import type { PortCreateInput, PortPatch } from './input.js';
import { withMacs } from './input.js';
import { addressesOf, allocateAddresses, ipamSubnetsOf, planAllocations, randomMac, type FixedIp, type FixedIpRequest } from './ipam.js';
import { reportUnavailablePod } from '../api/unavailable.js';
import { LIVE_FILTERS, LivePorts, matchesLiveFilters } from './live.js';
import { toPort, type Port, type PortRow } from './model.js';
import { inL3Transaction, l3JobsOf } from '../routers/jobs.js';
import { refuseL3PortDelete, releaseFloatingIpsOfPort } from '../routers/portHooks.js';

const split = (values: string[]) =>
  values.map((v) => {
    const at = v.indexOf('=');
    return at < 0 ? ['', v] : [v.slice(0, at), v.slice(at + 1)];
  });

export const PORT_LIST: ListSchema = {
  collection: 'ports',
  idColumn: 'ports.id',
  attrs: {
    id: { kind: 'string', column: 'ports.id', sortable: true },
    name: { kind: 'string', column: 'ports.name', sortable: true },
    description: { kind: 'string', column: 'ports.description', sortable: true },
    network_id: { kind: 'string', column: 'ports.network_id', sortable: true },
    mac_address: { kind: 'string', column: 'ports.mac_address', sortable: true },
    admin_state_up: { kind: 'bool', column: 'ports.admin_state_up', sortable: true },
    status: { kind: 'string', column: 'ports.status', sortable: true },
    device_id: { kind: 'string', column: 'ports.device_id', sortable: true },
    device_owner: { kind: 'string', column: 'ports.device_owner', sortable: true },
    port_security_enabled: { kind: 'bool', column: 'ports.port_security_enabled', sortable: true },
    'binding:host_id': { kind: 'string', column: 'ports.binding_host_id' },
    'binding:vnic_type': { kind: 'string', column: 'ports.binding_vnic_type' },
    revision_number: { kind: 'int', column: 'ports.revision_number', sortable: true },
    created_at: { kind: 'timestamp', column: 'ports.created_at', sortable: true },
    updated_at: { kind: 'timestamp', column: 'ports.updated_at', sortable: true },
    fixed_ips: {
      kind: 'custom',
      filter: (eb, values) => {
        const pairs = split(values);
        const ips = pairs.filter(([k]) => k === 'ip_address').map(([, v]) => v);
        const subnets = pairs.filter(([k]) => k === 'subnet_id').map(([, v]) => v);
        const substr = pairs.filter(([k]) => k === 'ip_address_substr').map(([, v]) => v);
        let q = eb.selectFrom('ip_allocations').select(sql<number>`1`.as('one')).where('ip_allocations.port_id', '=', eb.ref('ports.id'));
        if (ips.length) q = q.where('ip_allocations.ip_address', 'in', ips);
        if (subnets.length) q = q.where('ip_allocations.subnet_id', 'in', subnets);
        for (const s of substr) q = q.where('ip_allocations.ip_address', 'like', `%${s.replace(/[%_\\]/g, '')}%`);
        return eb.exists(q);
      },
    },
    security_groups: {
      kind: 'custom',
      filter: (eb, values) =>
        eb.exists(
          eb
            .selectFrom('port_security_groups')
            .select(sql<number>`1`.as('one'))
            .where('port_security_groups.port_id', '=', eb.ref('ports.id'))
            .where('port_security_groups.security_group_id', 'in', values),
        ),
    },
    ...projectFilters('ports.project_id'),
    ...tagFilters('ports', 'ports.id'),
  },
};

/** Ports a caller sees: its project's, and every port on a network it owns. */
export function visiblePort(caller: Caller) {
  return (eb: AnyEb) => (caller.isAdmin ? sql<boolean>`1 = 1` : eb.or([eb('ports.project_id', '=', caller.projectId), eb('networks.project_id', '=', caller.projectId)]));
}

/** A port's row, if the caller sees the port. */
export async function findVisiblePort(trx: Trx, caller: Caller, portId: string): Promise<PortRow | undefined> {
  return trx
    .selectFrom('ports')
    .innerJoin('networks', 'networks.id', 'ports.network_id')
    .selectAll('ports')
    .where('ports.id', '=', portId)
    .where(visiblePort(caller))
    .executeTakeFirst();
}

type PortJoinRow = PortRow & { net_project_id: string };

/** Attributes only an admin or the network's owner may set, and those only an admin may. */
function restrictedAttributes(p: PortPatch): { ownerOnly: string[]; adminOnly: string[] } {
  return {
    ownerOnly: [
      ...(p.macAddress !== undefined ? ['mac_address'] : []),
      ...(p.fixedIps?.some((f) => f.ipAddress !== undefined) ? ['fixed_ips:ip_address'] : []),
      ...(p.deviceOwner?.startsWith('network:') ? ['device_owner'] : []),
      ...(p.portSecurityEnabled !== undefined ? ['port_security_enabled'] : []),
      ...(p.allowedAddressPairs !== undefined ? ['allowed_address_pairs'] : []),
    ],
    adminOnly: [...(p.bindingHostId !== undefined ? ['binding:host_id'] : []), ...(p.bindingProfile !== undefined ? ['binding:profile'] : [])],
  };
}

function authorizeAttributes(caller: Caller, action: string, networkOwner: boolean, p: PortPatch): void {
  const { ownerOnly, adminOnly } = restrictedAttributes(p);
  const refused = [...(caller.isAdmin || networkOwner ? [] : ownerOnly), ...(caller.isAdmin ? [] : adminOnly)];
  if (refused.length) throw policyNotAuthorized([action, ...refused.map((a) => `${action}:${a}`)]);
}

const portHasSecurityGroup = () =>
  new ApiError(409, 'Port has security group associated. Cannot disable port security or ip address until security group is removed', 'PortSecurityPortHasSecurityGroup');
const portBound = (id: string) => new ApiError(409, `Unable to complete operation on port ${id}, port is already bound.`, 'PortBound');

/** Smallest SQL page read while filling a page filtered on live attributes. */
const LIVE_FILTER_BATCH = 100;

const isLiveFilter = (key: string) => (LIVE_FILTERS as readonly string[]).includes(key);

export class PortService {
  private readonly live: LivePorts;

  constructor(
    private readonly deps: NetworkDeps,
    private readonly networks: NetworkService,
    private readonly securityGroups: SecurityGroupLookup,
  ) {
    this.live = new LivePorts({ routings: deps.routings, pods: deps.pods, podClients: deps.podClients, logger: deps.logger, timeoutMs: deps.settings.listPodTimeoutMs });
  }

  private get db() {
    return this.deps.db;
  }

  private base(trx: Trx, caller: Caller): AnySelect {
    return trx
      .selectFrom('ports')
      .innerJoin('networks', 'networks.id', 'ports.network_id')
      .selectAll('ports')
      .select('networks.project_id as net_project_id')
      .where(visiblePort(caller)) as AnySelect;
  }

  async findVisible(trx: Trx, caller: Caller, id: string): Promise<PortJoinRow | undefined> {
    return (await this.base(trx, caller).where('ports.id', '=', id).executeTakeFirst()) as PortJoinRow | undefined;
  }

  async create(caller: Caller, inputs: PortCreateInput[]): Promise<Port[]> {
    const prepared: { id: string; projectId: string; input: PortCreateInput; portSecurity: boolean; deviceOwner: string; groups: string[] }[] = [];
    for (const input of inputs) {
      const network = await this.networks.findVisibleRow(this.db.kysely, caller, input.networkId);
      if (!network) throw notFound.network(input.networkId);
      const projectId = owningProject({ project_id: input.project_id, tenant_id: input.tenant_id }, caller);
      if (!caller.isAdmin && network.project_id !== projectId && !toBool(network.shared) && !(await rbacGrants(this.db.kysely, 'network', network.id, projectId))) {
        throw new ApiError(404, `Tenant ${projectId} not allowed to create port on this network`, 'HTTPNotFound');
      }
      authorizeAttributes(caller, 'create_port', owns(caller, network.project_id), input);
      if (input.qosPolicyId !== undefined) await checkQosPolicyRef(this.db.kysely, caller, input.qosPolicyId);
      const portSecurity = input.portSecurityEnabled ?? toBool(network.port_security_enabled);
      const deviceOwner = input.deviceOwner ?? '';
      if (!portSecurity && input.securityGroups?.length) throw bad.securityGroupsNeedPortSecurity();
      if (!portSecurity && input.allowedAddressPairs?.length) throw conflict.addressPairsNeedPortSecurity();
      let groups: string[];
      if (input.securityGroups !== undefined) {
        for (const id of input.securityGroups) await this.securityGroups.visibleGroup(caller, id);
        groups = input.securityGroups;
      } else {
        groups = portSecurity && !deviceOwner.startsWith('network:') ? [await this.securityGroups.ensureDefaultSecurityGroup(projectId)] : [];
      }
      prepared.push({ id: randomUUID(), projectId, input, portSecurity, deviceOwner, groups });
    }
    await this.withMacRetry(
      prepared.every((p) => p.input.macAddress !== undefined),
      prepared[0]?.input.networkId ?? '',
      () =>
        inTransaction(this.db, async (trx) => {
          await this.deps.quotas.admit(trx, 'port', prepared);
          for (const p of prepared) {
            await this.insertPort(trx, {
              id: p.id,
              projectId: p.projectId,
              networkId: p.input.networkId,
              patch: p.input,
              portSecurity: p.portSecurity,
              deviceOwner: p.deviceOwner,
              groups: p.groups,
              reservedFor: null,
            });
          }
        }),
    );
    return this.byIds(prepared.map((p) => p.id));
  }

  /** Runs `work` again when a generated MAC collided with one inserted concurrently. */
  private async withMacRetry(allGiven: boolean, networkId: string, work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        // The network went away while its port was being made.
        if (isForeignKeyViolation(err)) throw notFound.network(networkId);
        if (!isUniqueViolation(err) || allGiven || attempt >= 5) {
          if (isUniqueViolation(err)) throw new ApiError(409, 'The mac address is in use on this network.', 'MacAddressInUse');
          throw err;
        }
      }
    }
  }

  private async insertPort(
    trx: Trx,
    p: { id: string; projectId: string; networkId: string; patch: PortPatch; portSecurity: boolean; deviceOwner: string; groups: string[]; reservedFor: string | null },
  ): Promise<FixedIp[]> {
    let mac = p.patch.macAddress;
    if (mac !== undefined) {
      const taken = await trx.selectFrom('ports').select('id').where('network_id', '=', p.networkId).where('mac_address', '=', mac).executeTakeFirst();
      if (taken) throw conflict.macInUse(p.networkId, mac);
    } else {
      do mac = randomMac();
      while (await trx.selectFrom('ports').select('id').where('network_id', '=', p.networkId).where('mac_address', '=', mac).executeTakeFirst());
    }
    const subnets = await ipamSubnetsOf(trx, p.networkId);
    const steps = planAllocations(p.networkId, subnets, p.patch.fixedIps, p.deviceOwner);
    const now = dbNow(this.db.dialect);
    await trx
      .insertInto('ports')
      .values({
        id: p.id,
        project_id: p.projectId,
        network_id: p.networkId,
        name: p.patch.name ?? '',
        description: p.patch.description ?? '',
        mac_address: mac,
        admin_state_up: fromBool(p.patch.adminStateUp ?? true),
        status: 'DOWN',
        device_id: p.patch.deviceId ?? '',
        device_owner: p.deviceOwner,
        port_security_enabled: fromBool(p.portSecurity),
        binding_host_id: p.patch.bindingHostId ?? '',
        binding_vnic_type: p.patch.bindingVnicType ?? 'normal',
        binding_profile: JSON.stringify(p.patch.bindingProfile ?? {}),
        allowed_address_pairs: JSON.stringify(withMacs(p.patch.allowedAddressPairs ?? [], mac)),
        extra_dhcp_opts: JSON.stringify(p.patch.extraDhcpOpts ?? []),
        reserved_for: p.reservedFor,
        qos_policy_id: p.patch.qosPolicyId ?? null,
        revision_number: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const addresses = await allocateAddresses(this.db, trx, p.id, mac, steps);
    if (p.groups.length) {
      await trx
        .insertInto('port_security_groups')
        .values(p.groups.map((g) => ({ port_id: p.id, security_group_id: g })))
        .execute();
    }
    return addresses;
  }

  /**
   * A port Tricircle keeps for itself under a unique key (a subnet's shared DHCP port, a pod's gateway
   * port on a subnet): made on first call, the same port afterwards and for concurrent callers.
   */
  async ensureReservedPort(spec: { key: string; networkId: string; subnetId: string; projectId: string; deviceOwner: string; name: string; deviceId?: string }): Promise<Port> {
    const existing = await this.db.kysely.selectFrom('ports').select(['id', 'device_id']).where('reserved_for', '=', spec.key).executeTakeFirst();
    if (existing) {
      // A reservation made before it carried its device id gets it now.
      if (spec.deviceId !== undefined && existing.device_id === '')
        await this.db.kysely.updateTable('ports').set({ device_id: spec.deviceId }).where('id', '=', existing.id).execute();
      return (await this.byIds([existing.id]))[0];
    }
    const id = randomUUID();
    try {
      await this.withMacRetry(false, spec.networkId, () =>
        inTransaction(this.db, async (trx) => {
          await this.insertPort(trx, {
            id,
            projectId: spec.projectId,
            networkId: spec.networkId,
            patch: { name: spec.name, fixedIps: [{ subnetId: spec.subnetId }], deviceId: spec.deviceId },
            portSecurity: false,
            deviceOwner: spec.deviceOwner,
            groups: [],
            reservedFor: spec.key,
          });
        }),
      );
    } catch (err) {
      const winner = await this.db.kysely.selectFrom('ports').select('id').where('reserved_for', '=', spec.key).executeTakeFirst();
      if (!winner) throw err;
      return (await this.byIds([winner.id]))[0];
    }
    return (await this.byIds([id]))[0];
  }

  /**
   * Ports with the live state of their pod copies. Filters on live attributes (status, binding host)
   * apply after the pods answered; a page then reads on through the top rows until it is full.
   */
  async list(caller: Caller & Partial<BottomCallContext>, params: ListParams): Promise<Port[]> {
    const liveFilters = new Map([...params.filters].filter(([k]) => isLiveFilter(k)));
    const report = (region: string) => reportUnavailablePod(caller, region);
    if (liveFilters.size === 0) return this.live.overlay(await this.listTop(caller, params), caller, report);
    const topParams: ListParams = { ...params, filters: new Map([...params.filters].filter(([k]) => !isLiveFilter(k))) };
    const keep = async (ports: Port[]) => (await this.live.overlay(ports, caller, report)).filter((p) => matchesLiveFilters(p, liveFilters));
    if (params.limit === undefined) return keep(await this.listTop(caller, topParams));
    const batch = Math.max(params.limit, LIVE_FILTER_BATCH);
    let out: Port[] = [];
    let marker = params.marker;
    for (;;) {
      const page = await this.listTop(caller, { ...topParams, limit: batch, marker });
      const kept = await keep(page);
      out = params.pageReverse ? [...kept, ...out] : [...out, ...kept];
      if (out.length >= params.limit || page.length < batch) break;
      marker = params.pageReverse ? page[0].id : page[page.length - 1].id;
    }
    return params.pageReverse ? out.slice(-params.limit) : out.slice(0, params.limit);
  }

  /** The top rows of a list, as stored. */
  private async listTop(caller: Caller, params: ListParams): Promise<Port[]> {
    const base = this.base(this.db.kysely, caller);
    const rows = await pageOf<PortJoinRow>(applyFilters(base, PORT_LIST, params), PORT_LIST, params, (id) => base.where('ports.id', '=', id).executeTakeFirst());
    return this.hydrate(rows);
  }

  /** A port with the live state of its pod copy, if it has one. */
  async get(caller: Caller & Partial<BottomCallContext>, id: string): Promise<Port> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw notFound.port(id);
    return (await this.live.overlay(await this.hydrate([row]), caller, (region) => reportUnavailablePod(caller, region)))[0];
  }

  /** Ports by id as the top stores them (no visibility check, no pod reads), in the order asked. */
  topPorts(ids: string[]): Promise<Port[]> {
    return ids.length ? this.byIds(ids) : Promise.resolve([]);
  }

  async update(caller: Caller, id: string, patch: PortPatch): Promise<Port> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw notFound.port(id);
    if (!owns(caller, row.project_id)) requireOwner(caller, row.net_project_id, 'update_port');
    authorizeAttributes(caller, 'update_port', owns(caller, row.net_project_id), patch);
    if (patch.securityGroups) for (const g of patch.securityGroups) await this.securityGroups.visibleGroup(caller, g);
    if (patch.qosPolicyId !== undefined) await checkQosPolicyRef(this.db.kysely, caller, patch.qosPolicyId);
    const sync = syncJobsOf(this.deps);
    let job = '';
    try {
      await inTransaction(this.db, async (trx) => {
        if (!(await lockRow(this.db, trx, 'ports', id))) throw notFound.port(id);
        const [current] = await this.hydrateWith(trx, [(await trx.selectFrom('ports').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as PortRow]);
        const portSecurity = patch.portSecurityEnabled ?? current.portSecurityEnabled;
        const groups = patch.securityGroups ?? current.securityGroups;
        if (!portSecurity && groups.length) {
          if (patch.securityGroups?.length) throw bad.securityGroupsNeedPortSecurity();
          throw portHasSecurityGroup();
        }
        const mac = patch.macAddress ?? current.macAddress;
        const pairs = patch.allowedAddressPairs !== undefined ? withMacs(patch.allowedAddressPairs, mac) : current.allowedAddressPairs;
        if (!portSecurity && pairs.length) throw conflict.addressPairsNeedPortSecurity();
        if (patch.macAddress !== undefined && patch.macAddress !== current.macAddress) {
          if (current.bindingHostId !== '') throw portBound(id);
          const taken = await trx.selectFrom('ports').select('id').where('network_id', '=', current.networkId).where('mac_address', '=', patch.macAddress).executeTakeFirst();
          if (taken) throw conflict.macInUse(current.networkId, patch.macAddress);
        }
        if (patch.fixedIps !== undefined) await this.changeAddresses(trx, current, patch.fixedIps, patch.deviceOwner ?? current.deviceOwner, mac);
        await trx
          .updateTable('ports')
          .set((eb) => ({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.adminStateUp !== undefined ? { admin_state_up: fromBool(patch.adminStateUp) } : {}),
            ...(patch.macAddress !== undefined ? { mac_address: patch.macAddress } : {}),
            ...(patch.deviceId !== undefined ? { device_id: patch.deviceId } : {}),
            ...(patch.deviceOwner !== undefined ? { device_owner: patch.deviceOwner } : {}),
            ...(patch.portSecurityEnabled !== undefined ? { port_security_enabled: fromBool(patch.portSecurityEnabled) } : {}),
            ...(patch.bindingHostId !== undefined ? { binding_host_id: patch.bindingHostId } : {}),
            ...(patch.bindingVnicType !== undefined ? { binding_vnic_type: patch.bindingVnicType } : {}),
            ...(patch.bindingProfile !== undefined ? { binding_profile: JSON.stringify(patch.bindingProfile) } : {}),
            ...(patch.extraDhcpOpts !== undefined ? { extra_dhcp_opts: JSON.stringify(patch.extraDhcpOpts) } : {}),
            ...(patch.qosPolicyId !== undefined ? { qos_policy_id: patch.qosPolicyId } : {}),
            allowed_address_pairs: JSON.stringify(pairs),
            revision_number: eb('revision_number', '+', 1),
            updated_at: dbNow(this.db.dialect),
          }))
          .where('id', '=', id)
          .execute();
        if (patch.securityGroups !== undefined) {
          await trx.deleteFrom('port_security_groups').where('port_id', '=', id).execute();
          if (patch.securityGroups.length) {
            await trx
              .insertInto('port_security_groups')
              .values(patch.securityGroups.map((g) => ({ port_id: id, security_group_id: g })))
              .execute();
          }
        }
        // The port's copy in its pod follows a QoS change.
        job = patch.qosPolicyId !== undefined && patch.qosPolicyId !== current.qosPolicyId ? await sync.request(trx, PORT_SYNC_JOB, id, current.projectId) : '';
      });
      sync.signal([job]);
    } catch (err) {
      if (isUniqueViolation(err) && patch.macAddress !== undefined) throw conflict.macInUse(row.network_id, patch.macAddress);
      throw err;
    }
    return this.get(caller, id);
  }

  /**
   * Replaces the port's addresses with `requested`: an entry naming an address the port has keeps it,
   * an entry naming only a subnet keeps the port's address there (or gets a new one), the rest are released.
   */
  private async changeAddresses(trx: Trx, current: Port, requested: FixedIpRequest[], deviceOwner: string, mac: string): Promise<void> {
    const kept: FixedIp[] = [];
    const fresh: FixedIpRequest[] = [];
    for (const r of requested) {
      const match = current.fixedIps.find(
        (f) =>
          !kept.includes(f) && (r.ipAddress !== undefined ? f.ipAddress === r.ipAddress && (r.subnetId === undefined || f.subnetId === r.subnetId) : f.subnetId === r.subnetId),
      );
      if (match) kept.push(match);
      else fresh.push(r);
    }
    const released = current.fixedIps.filter((f) => !kept.includes(f));
    for (const f of released) {
      await trx.deleteFrom('ip_allocations').where('subnet_id', '=', f.subnetId).where('ip_address', '=', f.ipAddress).where('port_id', '=', current.id).execute();
    }
    if (fresh.length) {
      const steps = planAllocations(current.networkId, await ipamSubnetsOf(trx, current.networkId), fresh, deviceOwner);
      await allocateAddresses(this.db, trx, current.id, mac, steps);
    }
  }

  async delete(caller: Caller & BottomCallContext, id: string): Promise<void> {
    const row = await this.findVisible(this.db.kysely, caller, id);
    if (!row) throw notFound.port(id);
    if (!owns(caller, row.project_id)) requireOwner(caller, row.net_project_id, 'delete_port');
    await refuseL3PortDelete(this.db.kysely, row);
    await refuseTrunkPortDelete(this.db.kysely, id);
    const copies = await copiesOf(this.deps.routings, { ports: [id] });
    await deleteCopies(this.deps.routings, { pods: this.deps.pods, deleter: this.deps.podSide.copies, logger: this.deps.logger }, copies, caller);
    const sync = syncJobsOf(this.deps);
    const jobs: string[] = [];
    await inL3Transaction(this.db, l3JobsOf(this.deps), async (trx, request) => {
      jobs.length = 0;
      // Forwardings to the port go with it (a key cascade); their pod copies follow.
      const forwarded = await trx
        .selectFrom('port_forwardings')
        .innerJoin('floatingips', 'floatingips.id', 'port_forwardings.floatingip_id')
        .select(['floatingips.id as id', 'floatingips.project_id as project_id'])
        .distinct()
        .where('port_forwardings.internal_port_id', '=', id)
        .execute();
      await trx.deleteFrom('port_forwardings').where('internal_port_id', '=', id).execute();
      for (const f of forwarded) jobs.push(await sync.request(trx, PORT_FORWARDING_SYNC_JOB, f.id, f.project_id));
      await releaseFloatingIpsOfPort(this.db, trx, id, request);
      await dropTags(trx, 'ports', [id]);
      await dropRoutingRows(this.deps.routings.in(trx), { ports: [id] });
      await trx.deleteFrom('ports').where('id', '=', id).execute();
    });
    sync.signal(jobs);
  }

  private async byIds(ids: string[]): Promise<Port[]> {
    const rows = await this.db.kysely.selectFrom('ports').selectAll().where('id', 'in', ids).execute();
    return this.hydrate(inIdOrder(ids, rows));
  }

  private hydrate(rows: PortRow[]): Promise<Port[]> {
    return this.hydrateWith(this.db.kysely, rows);
  }

  private async hydrateWith(trx: Trx, rows: PortRow[]): Promise<Port[]> {
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    const [addresses, groups, tags, trunks] = await Promise.all([
      addressesOf(trx, ids),
      trx.selectFrom('port_security_groups').select(['port_id', 'security_group_id']).where('port_id', 'in', ids).orderBy('security_group_id').execute(),
      tagsOf(trx, 'ports', ids),
      trunkDetailsOf(trx, ids),
    ]);
    const groupsOf = new Map<string, string[]>();
    for (const g of groups) groupsOf.set(g.port_id, [...(groupsOf.get(g.port_id) ?? []), g.security_group_id]);
    return rows.map((r) => {
      const port = toPort(r, { fixedIps: addresses.get(r.id), securityGroups: groupsOf.get(r.id), tags: tags.get(r.id) });
      const trunk = trunks.get(r.id);
      return trunk ? { ...port, trunkDetails: trunk } : port;
    });
  }
}
