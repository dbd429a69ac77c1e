// The simulated Neutron plugin: one object owning the state and the per-resource services, with
// visibility-checked lookups and all-or-nothing request execution. Knows nothing of HTTP.
import { policyNotAuthorized, notFound } from './errors.js';
import { canSeeNetwork, canSeeOwned, canSeePort, canSeeRule, canSeeSubnet, type Ctx } from './context.js';
import { FloatingIpService } from './floatingips.js';
import { NetworkService } from './networks.js';
import { PortService } from './ports.js';
import { QuotaService } from './quotas.js';
import { RouterService } from './routers.js';
import { SecurityGroupService } from './securitygroups.js';
import {
  NeutronState,
  type FloatingIpRec,
  type NetworkRec,
  type NeutronConfig,
  type PortRec,
  type RouterRec,
  type SecurityGroupRec,
  type SecurityGroupRuleRec,
  type SubnetRec,
} from './state.js';
import { SharingService } from './sharing.js';
import { SubnetService } from './subnets.js';

export class Neutron {
  readonly state: NeutronState;
  readonly networks: NetworkService;
  readonly subnets: SubnetService;
  readonly ports: PortService;
  readonly routers: RouterService;
  readonly floatingips: FloatingIpService;
  readonly securityGroups: SecurityGroupService;
  readonly quotas: QuotaService;
  readonly sharing: SharingService;

  constructor(readonly config: NeutronConfig) {
    this.state = new NeutronState(config);
    this.networks = new NetworkService(this);
    this.subnets = new SubnetService(this);
    this.ports = new PortService(this);
    this.routers = new RouterService(this);
    this.floatingips = new FloatingIpService(this);
    this.securityGroups = new SecurityGroupService(this);
    this.quotas = new QuotaService(this);
    this.sharing = new SharingService(this);
  }

  /** Runs a change so that it either completes or leaves the state untouched. */
  tx<T>(fn: () => T): T {
    return this.state.transaction(fn);
  }

  network(ctx: Ctx, id: string): NetworkRec {
    const rec = this.state.networks.get(id);
    if (!rec || !canSeeNetwork(ctx, rec)) throw notFound.network(id);
    return rec;
  }

  subnet(ctx: Ctx, id: string): SubnetRec {
    const rec = this.state.subnets.get(id);
    if (!rec || !canSeeSubnet(this.state, ctx, rec)) throw notFound.subnet(id);
    return rec;
  }

  port(ctx: Ctx, id: string): PortRec {
    const rec = this.state.ports.get(id);
    if (!rec || !canSeePort(this.state, ctx, rec)) throw notFound.port(id);
    return rec;
  }

  router(ctx: Ctx, id: string): RouterRec {
    const rec = this.state.routers.get(id);
    if (!rec || !canSeeOwned(ctx, rec)) throw notFound.router(id);
    return rec;
  }

  floatingip(ctx: Ctx, id: string): FloatingIpRec {
    const rec = this.state.floatingips.get(id);
    if (!rec || !canSeeOwned(ctx, rec)) throw notFound.floatingip(id);
    return rec;
  }

  securityGroup(ctx: Ctx, id: string): SecurityGroupRec {
    const rec = this.state.securityGroups.get(id);
    if (!rec || !canSeeOwned(ctx, rec)) throw notFound.securityGroup(id);
    return rec;
  }

  securityGroupRule(ctx: Ctx, id: string): SecurityGroupRuleRec {
    const rec = this.state.securityGroupRules.get(id);
    if (!rec || !canSeeRule(this.state, ctx, rec)) throw notFound.securityGroupRule(id);
    return rec;
  }

  /** The base owner rule of an action (admin or owner), 403 as oslo.policy words it. */
  requireOwner(ctx: Ctx, rec: { project_id: string }, action: string): void {
    if (!ctx.isAdmin && rec.project_id !== ctx.projectId) throw policyNotAuthorized([action]);
  }
}
