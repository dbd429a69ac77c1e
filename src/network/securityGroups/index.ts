import type { PodClientFactory } from '../../bottom/index.js';
import type { RoutingLock } from '../../routing/index.js';
import type { NetworkDeps } from '../deps.js';
import { formatCidr } from '../ip.js';
import type { BottomSecurityGroupApi } from './bottomApi.js';
import { neutronBottomSecurityGroups } from './neutronBottom.js';
import { SecurityGroupService } from './service.js';
import { SecurityGroupStore } from './store.js';
import { sqlSubnetCidrs } from './subnetCidrs.js';
import { SecurityGroupSync, type SecurityGroupSyncOptions } from './sync.js';

export { SecurityGroupService, type GroupWithRules } from './service.js';
export { securityGroupRoutes } from './routes.js';
export { SecurityGroupSync, SECURITY_GROUP_RESOURCE, type SubnetCidrSource, type SecurityGroupSyncOptions } from './sync.js';
export { SecurityGroupStore } from './store.js';
export { expandRulesForPod, diffRules, ruleKey } from './expand.js';
export type { BottomSecurityGroupApi, BottomRule, BottomGroup } from './bottomApi.js';
export { neutronBottomSecurityGroups } from './neutronBottom.js';
export type { SecurityGroup, SecurityGroupRule, RuleMatch } from './model.js';

/** The security-group part of the top networking service. */
export interface SecurityGroups {
  service: SecurityGroupService;
  sync: SecurityGroupSync;
}

export interface SecurityGroupsOptions {
  /** The pods' Neutron, for mirroring (or `bottom` instead). */
  podClients: Pick<PodClientFactory, 'neutron'>;
  lock: Pick<RoutingLock, 'getOrCreateBottom'>;
  /** Replaces the pods' Neutron (tests). */
  bottom?: BottomSecurityGroupApi;
  remoteGroupScope?: SecurityGroupSyncOptions['remoteGroupScope'];
}

/** Builds the security-group service and its pod mirroring over the networking service's dependencies. */
export function buildSecurityGroups(deps: NetworkDeps, opts: SecurityGroupsOptions): SecurityGroups {
  const store = new SecurityGroupStore(deps.db);
  const clients = opts.podClients;
  const bottom = opts.bottom ?? neutronBottomSecurityGroups((pod) => clients.neutron(pod));
  const sync = new SecurityGroupSync({
    routes: deps.routings,
    pods: deps.pods,
    groups: { findGroup: (id) => store.findGroup(id), rulesOf: (id) => store.rulesOf(id) },
    subnets: sqlSubnetCidrs(deps.db),
    bottom,
    lock: opts.lock,
    remoteGroupScope: opts.remoteGroupScope,
    excludedCidrs: [formatCidr(deps.settings.bridgeCidr)],
    logger: deps.logger,
  });
  const service = new SecurityGroupService({ store, sync, logger: deps.logger });
  return { service, sync };
}
