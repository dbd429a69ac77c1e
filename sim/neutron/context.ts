// Who is asking, and what they may see: the default (Zed, legacy rules) Neutron policy reduced to the
// checks the simulator needs.
import type { FloatingIpRec, NetworkRec, NeutronState, PortRec, RouterRec, SecurityGroupRec, SecurityGroupRuleRec, SubnetRec } from './state.js';

export interface Ctx {
  projectId: string;
  isAdmin: boolean;
}

export function canSeeNetwork(ctx: Ctx, net: NetworkRec): boolean {
  return ctx.isAdmin || net.project_id === ctx.projectId || net.shared || net.external || (net.shared_with?.includes(ctx.projectId) ?? false);
}

export function ownsNetwork(ctx: Ctx, net: NetworkRec): boolean {
  return ctx.isAdmin || net.project_id === ctx.projectId;
}

export function canSeeSubnet(state: NeutronState, ctx: Ctx, subnet: SubnetRec): boolean {
  if (ctx.isAdmin || subnet.project_id === ctx.projectId) return true;
  const net = state.networks.get(subnet.network_id);
  return !!net && (net.shared || net.external || (net.shared_with?.includes(ctx.projectId) ?? false));
}

export function canSeePort(state: NeutronState, ctx: Ctx, port: PortRec): boolean {
  if (ctx.isAdmin || port.project_id === ctx.projectId) return true;
  const net = state.networks.get(port.network_id);
  return !!net && net.project_id === ctx.projectId;
}

export function canSeeOwned(ctx: Ctx, rec: RouterRec | FloatingIpRec | SecurityGroupRec): boolean {
  return ctx.isAdmin || rec.project_id === ctx.projectId;
}

export function canSeeRule(state: NeutronState, ctx: Ctx, rule: SecurityGroupRuleRec): boolean {
  if (ctx.isAdmin || rule.project_id === ctx.projectId) return true;
  return state.securityGroups.get(rule.security_group_id)?.project_id === ctx.projectId;
}
