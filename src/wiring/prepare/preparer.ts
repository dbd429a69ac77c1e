/**
 * The top networking service's side of a server boot (ServerNetworkPreparer): checks the requested
 * NICs, makes the pod's copies of their networks, subnets, DHCP port, security groups and ports, and
 * undoes its own work when a step fails.
 */
import { ApiError, type Logger } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingLock, RoutingTable } from '../../routing/index.js';
import type { Port, SecurityGroup, SecurityGroupRule, TopNetworkState } from '../../network/index.js';
import { SECURITY_GROUP_RESOURCE, type SecurityGroupSync } from '../securityGroups/index.js';
import type { NeutronOf } from './bottom.js';
import type { PreparedNic, ServerNetworkPreparer, ServerNicRequest } from './contract.js';
import { nicErrors } from './errors.js';
import { computeOwner } from './names.js';
import type { NicPlan, NicPlanner } from './nics.js';
import type { PodNetwork, PodNetworkBuilder } from './podNetwork.js';
import { elevated, type ServerPortReleaser } from './release.js';
import { resolveServerGroups } from './serverGroups.js';
import { ensureVmPort } from './vmPort.js';

export interface PreparerDeps {
  top: Pick<TopNetworkState, 'ports' | 'serverPorts' | 'securityGroups'>;
  routings: RoutingTable;
  lock: Pick<RoutingLock, 'getOrCreateBottom'>;
  neutronOf: NeutronOf;
  sync: Pick<SecurityGroupSync, 'prepareBottomSecurityGroup'>;
  planner: NicPlanner;
  builder: PodNetworkBuilder;
  releaser: ServerPortReleaser;
  logger?: Logger;
  /**
   * Called once a server's NICs are prepared, with the networks and top ports now copied into the pod:
   * routers on those networks and floating IPs on those ports follow through their jobs. Failures are
   * logged, never fail the boot.
   */
  followUps?: (networkIds: string[], portIds: string[]) => Promise<void>;
  /** RBAC sharing of the network copy with the server's project, and QoS policies of networks and ports. */
  sharing?: {
    prepareNetwork(ctx: RequestContext, pod: Pod, network: NicPlan['network'], bottomNetworkId: string, userProject: string): Promise<void>;
    portPolicy(ctx: RequestContext, pod: Pod, port: Port): Promise<string | undefined>;
  };
}

/** One memoised promise per key, so a call prepares each network and group once. */
function memo<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = make();
    cache.set(key, p);
  }
  return p;
}

export class NetworkPreparer implements ServerNetworkPreparer {
  constructor(private readonly deps: PreparerDeps) {}

  async prepareServerNics(
    ctx: RequestContext,
    pod: Pod,
    nics: ServerNicRequest[] | 'auto' | 'none',
    opts: { securityGroups?: string[]; serverId: string },
  ): Promise<{ nics: PreparedNic[]; bottomSecurityGroupIds: string[] }> {
    const caller = { projectId: ctx.projectId, isAdmin: ctx.isAdmin };
    const plans = await this.deps.planner.plan(caller, pod, nics, opts.serverId);
    if (plans.length === 0) return { nics: [], bottomSecurityGroupIds: [] };
    const requested = opts.securityGroups?.length ? opts.securityGroups : ['default'];
    const groupIds = await resolveServerGroups(this.deps.top.securityGroups, ctx.projectId, requested);
    const explicitGroups = requested.some((g) => g !== 'default');
    for (const plan of plans) {
      if (plan.kind === 'network' && !plan.network.portSecurityEnabled && explicitGroups) throw nicErrors.securityGroupCannotBeApplied();
    }

    const podGroups = new Map<string, Promise<string>>();
    const bottomGroup = (id: string) => memo(podGroups, id, () => this.deps.sync.prepareBottomSecurityGroup(pod, id, ctx));
    const podNetworks = new Map<string, Promise<PodNetwork>>();
    const touched: PreparedNic[] = [];
    try {
      const bottomSecurityGroupIds = await Promise.all(groupIds.map(bottomGroup));
      for (const plan of plans) {
        const net = await memo(podNetworks, plan.network.id, () => this.deps.builder.ensure(ctx, pod, plan.network, plan.subnets, { reuseReady: true }));
        const port = plan.kind === 'network' ? await this.createTopPort(ctx, pod, plan, groupIds, opts.serverId) : await this.claimPort(plan.port, pod, opts.serverId);
        const nic: PreparedNic = { topPortId: port.id, bottomPortId: '', createdTopPort: plan.kind === 'network' };
        touched.push(nic);
        const portGroups = port.portSecurityEnabled ? await Promise.all(port.securityGroups.map(bottomGroup)) : [];
        await this.deps.sharing?.prepareNetwork(ctx, pod, plan.network, net.bottomNetworkId, port.projectId);
        const qos = await this.deps.sharing?.portPolicy(ctx, pod, port);
        nic.bottomPortId = await ensureVmPort(this.deps, ctx, net, port, portGroups, qos, nic.createdTopPort);
      }
      await this.deps
        .followUps?.(
          plans.map((p) => p.network.id),
          touched.map((n) => n.topPortId),
        )
        .catch((err: unknown) => this.deps.logger?.warn({ err, pod: pod.regionName }, 'could not request the router and floating IP jobs of a server boot'));
      return { nics: touched, bottomSecurityGroupIds };
    } catch (err) {
      // The pod may have lost a copy this boot took as ready: the next boot checks it again.
      for (const plan of plans) this.deps.builder.forget(pod.id, plan.network.id);
      await this.deps.releaser
        .release(ctx, touched)
        .catch((e: unknown) => this.deps.logger?.error({ err: e, pod: pod.regionName }, 'could not undo a failed server network preparation'));
      throw err;
    }
  }

  async podSecurityGroup(ctx: RequestContext, pod: Pod, nameOrId: string, opts: { create: boolean }): Promise<string | undefined> {
    let topId: string;
    try {
      [topId] = await resolveServerGroups(this.deps.top.securityGroups, ctx.projectId, [nameOrId]);
    } catch (err) {
      // Nova answers an unknown group of these actions with 404 (a boot's with 400).
      if (err instanceof ApiError && err.status === 400) throw new ApiError(404, `Security group ${nameOrId} is not found for project ${ctx.projectId}`);
      throw err;
    }
    if (opts.create) return this.deps.sync.prepareBottomSecurityGroup(pod, topId, ctx);
    const routes = await this.deps.routings.findByTop(topId, SECURITY_GROUP_RESOURCE);
    return routes.find((r) => r.podId === pod.id && r.bottomId)?.bottomId ?? undefined;
  }

  async securityGroup(ctx: RequestContext, id: string): Promise<{ group: SecurityGroup; rules: SecurityGroupRule[] } | undefined> {
    const group = await this.deps.top.securityGroups.findGroup(id);
    if (!group || (group.projectId !== ctx.projectId && !ctx.isAdmin)) return undefined;
    return { group, rules: await this.deps.top.securityGroups.rulesOf(id) };
  }

  releaseServerNics(ctx: RequestContext, _pod: Pod, nics: PreparedNic[]): Promise<void> {
    return this.deps.releaser.release(ctx, nics);
  }

  cleanupServerPorts(ctx: RequestContext, serverId: string): Promise<void> {
    return this.deps.releaser.cleanup(ctx, serverId);
  }

  releaseServerPort(ctx: RequestContext, topPortId: string): Promise<void> {
    return this.deps.releaser.releasePorts(ctx, [topPortId]);
  }

  bindServerNics(_ctx: RequestContext, nics: PreparedNic[], serverId: string): Promise<void> {
    return this.deps.releaser.bind(
      nics.map((n) => n.topPortId),
      serverId,
    );
  }

  /** A new top port on the network for the server (top IPAM picks or checks its address). */
  private async createTopPort(ctx: RequestContext, pod: Pod, plan: Extract<NicPlan, { kind: 'network' }>, groupIds: string[], serverId: string): Promise<Port> {
    try {
      return await this.deps.top.serverPorts.create(elevated(ctx), {
        networkId: plan.network.id,
        projectId: ctx.projectId,
        serverId,
        deviceOwner: computeOwner(pod.azName),
        securityGroups: plan.network.portSecurityEnabled ? groupIds : [],
        ...(plan.fixedIp !== undefined ? { fixedIp: plan.fixedIp } : {}),
      });
    } catch (err) {
      if (err instanceof ApiError && err.type === 'IpAddressAlreadyAllocated' && plan.fixedIp !== undefined) throw nicErrors.fixedIpInUse(plan.fixedIp);
      if (err instanceof ApiError && err.type === 'IpAddressGenerationFailure') throw new ApiError(400, `No fixed IP addresses available for network: ${plan.network.id}`);
      throw err;
    }
  }

  /** Marks a user's port as the server's; 409 when another device holds it. */
  private async claimPort(port: Port, pod: Pod, serverId: string): Promise<Port> {
    if (!(await this.deps.top.serverPorts.claim(port.id, serverId, computeOwner(pod.azName)))) throw nicErrors.portInUse(port.id);
    const [claimed] = await this.deps.top.ports.get([port.id]);
    if (!claimed) throw nicErrors.portNotFound(port.id);
    return claimed;
  }
}
