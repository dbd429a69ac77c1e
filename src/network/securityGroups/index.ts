import type { NetworkDeps } from '../deps.js';
import { SecurityGroupService } from './service.js';
import { SecurityGroupStore } from './store.js';

export { SecurityGroupService, type GroupWithRules } from './service.js';
export { securityGroupRoutes } from './routes.js';
export { SecurityGroupStore } from './store.js';
export { sqlSubnetCidrs, type SubnetCidrSource } from './subnetCidrs.js';
export { expandRulesForPod, diffRules, ruleKey } from './expand.js';
export { cidrWithin } from './cidr.js';
export { sgErrors } from './errors.js';
export type { SecurityGroup, SecurityGroupRule, RuleMatch, Direction, Ethertype } from './model.js';

/** The security-group service of the top networking service, mirroring its changes through the pod side. */
export function buildSecurityGroups(deps: NetworkDeps, store = new SecurityGroupStore(deps.db, deps.quotas)): SecurityGroupService {
  return new SecurityGroupService({ store, mirror: deps.podSide.securityGroups, logger: deps.logger });
}
