/**
 * Auto-allocated topology (get-me-a-network): the first GET for a project makes, at the top like any
 * other request would, a network with a subnet from each default subnet pool and a router whose
 * gateway is on the default external network, and remembers them; later GETs answer the same network.
 * Nothing is made in a pod here: the network is prepared in a pod when a server boots on it, and the
 * router's gateway lives in the external network's pod, as for any router (docs/network-api.md).
 */
import type { BottomCallContext } from '../../bottom/index.js';
import { ApiError } from '../../common/index.js';
import { dbNow, isUniqueViolation } from '../../db/index.js';
import type { NetworkDeps } from '../deps.js';
import { conflict, policyNotAuthorized } from '../errors.js';
import { defaultExternalNetwork, type NetworkService } from '../networks/service.js';
import type { Caller } from '../policy.js';
import type { RouterService } from '../routers/service.js';
import type { SubnetpoolService } from '../subnetpools/service.js';
import type { SubnetService } from '../subnets/service.js';
import './tables.js';

/** `?fields=dry-run`: only check that a topology could be made. */
export const DRY_RUN = 'dry-run';

export interface TopologyView {
  id: string;
  tenant_id: string;
  project_id: string;
}

export interface AutoAllocateParts {
  networks: NetworkService;
  subnets: SubnetService;
  pools: SubnetpoolService;
  routers: RouterService;
}

type Ctx = Caller & BottomCallContext;

export class AutoAllocateService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly parts: AutoAllocateParts,
  ) {}

  private get kysely() {
    return this.deps.db.kysely;
  }

  /** The project's topology, made on first use; with `dry-run` only the requirements are checked. */
  async get(caller: Ctx, projectId: string, fields: string[]): Promise<TopologyView> {
    this.authorize(caller, projectId, 'get_auto_allocated_topology');
    if (fields.includes(DRY_RUN)) {
      await this.requirements(caller);
      return view('dry-run=pass', projectId);
    }
    if (fields.length) throw new ApiError(400, 'Bad auto_allocate request: Unrecognized field.', 'BadRequest');
    const existing = await this.current(projectId);
    if (existing) return view(existing, projectId);
    const { externalId, versions } = await this.requirements(caller);
    const networkId = await this.build(caller, projectId, externalId, versions);
    return view(networkId, projectId);
  }

  /** Removes the project's topology (router interfaces, router, network); nothing to remove is no error. */
  async delete(caller: Ctx, projectId: string): Promise<void> {
    this.authorize(caller, projectId, 'delete_auto_allocated_topology');
    const row = await this.kysely.selectFrom('auto_allocated_topologies').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    if (!row) return;
    const asAdmin: Ctx = { ...caller, isAdmin: true };
    await this.teardown(asAdmin, row.network_id, row.router_id);
    await this.kysely.deleteFrom('auto_allocated_topologies').where('project_id', '=', projectId).execute();
  }

  private authorize(caller: Caller, projectId: string, action: string): void {
    if (!caller.isAdmin && caller.projectId !== projectId) throw policyNotAuthorized([action]);
  }

  /** The recorded network of the project, if it still exists (a record whose network was deleted is dropped). */
  private async current(projectId: string): Promise<string | undefined> {
    const row = await this.kysely.selectFrom('auto_allocated_topologies').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    if (!row) return undefined;
    const network = await this.kysely.selectFrom('networks').select('id').where('id', '=', row.network_id).executeTakeFirst();
    if (network) return network.id;
    await this.kysely.deleteFrom('auto_allocated_topologies').where('project_id', '=', projectId).where('network_id', '=', row.network_id).execute();
    return undefined;
  }

  /** The default external network and the IP versions that have a default subnet pool; 409 as upstream when either is missing. */
  private async requirements(caller: Caller): Promise<{ externalId: string; versions: (4 | 6)[] }> {
    const externalId = await defaultExternalNetwork(this.kysely);
    if (!externalId) throw conflict.autoAllocationFailure('No default router:external network');
    const versions: (4 | 6)[] = [];
    for (const v of [4, 6] as const) if (await this.parts.pools.defaultPool(this.kysely, caller, v)) versions.push(v);
    if (!versions.length) throw conflict.autoAllocationFailure('No default subnetpools defined');
    return { externalId, versions };
  }

  /** Makes the network, its subnets and the router; any failure removes what was made (409 as upstream). */
  private async build(caller: Ctx, projectId: string, externalId: string, versions: (4 | 6)[]): Promise<string> {
    const { networks, subnets, routers } = this.parts;
    const owner = caller.isAdmin ? { project_id: projectId } : {};
    // Down until the topology is complete, as upstream.
    const [network] = await networks.create(caller, [{ ...owner, name: 'auto_allocated_network', adminStateUp: false, shared: false, provider: {} }]).catch((err) => {
      throw wrap(err, 'Unable to provide tenant private network');
    });
    let routerId: string | null = null;
    try {
      const made = await subnets
        .create(
          caller,
          versions.map((v) => ({ ...owner, networkId: network.id, ipVersion: v, useDefaultSubnetpool: true, name: `auto_allocated_subnet_v${v}` })),
        )
        .catch((err) => {
          throw wrap(err, 'Unable to provide tenant private network');
        });
      try {
        const [router] = await routers.create(caller, [{ ...owner, name: 'auto_allocated_router', adminStateUp: true, gateway: { networkId: externalId } }]);
        routerId = router.id;
        for (const s of made) await routers.addInterface(caller, router.id, { subnetId: s.id });
      } catch (err) {
        throw wrap(err, 'Unable to provide external connectivity');
      }
      await networks.update(caller, network.id, { adminStateUp: true, provider: {} });
    } catch (err) {
      await this.teardown({ ...caller, isAdmin: true }, network.id, routerId).catch(() => undefined);
      throw err;
    }
    try {
      await this.kysely
        .insertInto('auto_allocated_topologies')
        .values({ project_id: projectId, network_id: network.id, router_id: routerId, created_at: dbNow(this.deps.db.dialect) })
        .execute();
      return network.id;
    } catch (err) {
      // A concurrent first request of the project recorded its topology first: ours goes, theirs is the answer.
      if (!isUniqueViolation(err)) throw err;
      await this.teardown({ ...caller, isAdmin: true }, network.id, routerId);
      const winner = await this.current(projectId);
      if (!winner) throw conflict.autoAllocationFailure('Unable to provide tenant private network');
      return winner;
    }
  }

  private async teardown(caller: Ctx, networkId: string, routerId: string | null): Promise<void> {
    const { networks, routers } = this.parts;
    if (routerId) {
      const router = await routers.get(caller, routerId).catch(() => undefined);
      if (router) {
        const subnetIds = (await this.kysely.selectFrom('subnets').select('id').where('network_id', '=', networkId).execute()).map((s) => s.id);
        for (const subnetId of subnetIds) await routers.removeInterface(caller, routerId, { subnetId }).catch(ignoreNotFound);
        await routers.delete(caller, routerId).catch(ignoreNotFound);
      }
    }
    await networks.delete(caller, networkId).catch(ignoreNotFound);
  }
}

const view = (id: string, projectId: string): TopologyView => ({ id, tenant_id: projectId, project_id: projectId });

function ignoreNotFound(err: unknown): void {
  if (err instanceof ApiError && err.status === 404) return;
  throw err;
}

/** A client error of a step becomes upstream's AutoAllocationFailure; a server fault stays what it is. */
function wrap(err: unknown, reason: string): unknown {
  if (err instanceof ApiError && err.status < 500) return conflict.autoAllocationFailure(reason);
  return err;
}
