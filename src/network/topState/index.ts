/** The interfaces the pod-side wiring uses of the top networking service, and their one builder. */
import type { BottomCallContext } from '../../bottom/index.js';
import type { Logger } from '../../common/logging.js';
import type { Db } from '../../db/index.js';
import type { PodRegistry } from '../../pods/index.js';
import type { JobService } from '../../xjob/index.js';
import { copiesOf, deleteCopies, type BottomNetworkDeleter } from '../bottomCopies.js';
import type { NetworkService } from '../networks/service.js';
import { TopReservedPorts } from '../ports/reserved.js';
import type { PortService } from '../ports/service.js';
import { requestL3FollowUps } from '../routers/followUps.js';
import type { SecurityGroupService, SecurityGroupStore } from '../securityGroups/index.js';
import { sqlSubnetCidrs } from '../securityGroups/subnetCidrs.js';
import type { NetworkSettings } from '../settings.js';
import type { TopNetworkState } from './contract.js';
import { topNetworks, topPorts } from './networks.js';
import { serverPorts } from './serverPorts.js';

export type { TopNetworkState, TopSecurityGroups, TopCopies, TopIds, L3FollowUps } from './contract.js';
export type { TopNetworks, TopPorts, NetworkWithSubnets } from './networks.js';
export type { ServerPorts, ServerPortRef, ServerPortRequest } from './serverPorts.js';

export interface TopNetworkStateParts {
  db: Db;
  pods: PodRegistry;
  settings: NetworkSettings;
  logger: Logger;
  networks: NetworkService;
  ports: PortService;
  securityGroups: SecurityGroupService;
  groups: SecurityGroupStore;
  /** The pod side's copy deleter (through the API's socket). */
  deleter: BottomNetworkDeleter;
  jobs?: Pick<JobService, 'signal'>;
}

export function createTopNetworkState(p: TopNetworkStateParts): TopNetworkState {
  const { db } = p;
  return {
    settings: p.settings,
    networks: topNetworks(db, p.networks),
    ports: topPorts(db, p.ports),
    serverPorts: serverPorts(db, p.ports),
    reservedPorts: new TopReservedPorts(db, p.ports),
    securityGroups: {
      ensureDefaultSecurityGroup: (projectId) => p.securityGroups.ensureDefaultSecurityGroup(projectId),
      findGroup: (id) => p.groups.findGroup(id),
      rulesOf: (groupId) => p.groups.rulesOf(groupId),
      matching: (projectId, wanted) =>
        db.kysely
          .selectFrom('security_groups')
          .select(['id', 'name'])
          .where('project_id', '=', projectId)
          .where((eb) => eb.or([eb('id', '=', wanted), eb('name', '=', wanted)]))
          .execute(),
    },
    subnetCidrs: sqlSubnetCidrs(db),
    copies: {
      async deleteCopiesOf(ids, ctx: BottomCallContext) {
        const copies = await copiesOf(db.kysely, ids);
        await deleteCopies(db.kysely, { pods: p.pods, deleter: p.deleter, logger: p.logger }, copies, ctx);
      },
    },
    l3FollowUps: { request: (input) => requestL3FollowUps(db, p.jobs, input) },
  };
}
