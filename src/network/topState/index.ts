/** The interfaces the pod-side wiring uses of the top networking service, and their one builder. */
import type { BottomCallContext } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import type { Db } from '../../db/index.js';
import type { PodRegistry } from '../../pods/index.js';
import type { RoutingTable } from '../../routing/index.js';
import type { JobService } from '../../xjob/index.js';
import { copiesOf, deleteCopies, type BottomNetworkDeleter, type TopCopies } from '../bottomCopies.js';
import { BridgeNetworks } from '../bridges/index.js';
import type { NetworkService } from '../networks/service.js';
import { TopReservedPorts } from '../ports/reserved.js';
import type { PortService } from '../ports/service.js';
import type { SubnetpoolService } from '../subnetpools/service.js';
import { requestL3FollowUps } from '../routers/followUps.js';
import type { SecurityGroupService, SecurityGroupStore } from '../securityGroups/index.js';
import { sqlSubnetCidrs } from '../securityGroups/subnetCidrs.js';
import type { NetworkSettings } from '../settings.js';
import type { TopKind, TopNetworkState } from './contract.js';
import { topFloatingIps, topRouters } from './l3.js';
import { topNetworks, topPorts } from './networks.js';
import { serverPorts } from './serverPorts.js';
import { topSharing } from './sharing.js';

export type { TopNetworkState, TopSecurityGroups, TopKind, L3FollowUps } from './contract.js';
export type { TopCopies, TopIds } from '../bottomCopies.js';
export type { TopNetworks, TopPorts, NetworkWithSubnets, ExternalNetworkRef } from './networks.js';
export type { TopRouters, TopFloatingIps, RouterState, RouterPortState } from './l3.js';
export type { ServerPorts, ServerPortRef, ServerPortRequest } from './serverPorts.js';
export type { TopSharing, TopQosPolicy, TopQosRule } from './sharing.js';

export interface TopNetworkStateParts {
  db: Db;
  routings: RoutingTable;
  pods: PodRegistry;
  settings: NetworkSettings;
  /** `[tricircle] bridge_cidr` as configured (the bridge pool's id is derived from it). */
  bridgeCidrText: string;
  logger: Logger;
  networks: NetworkService;
  ports: PortService;
  pools: SubnetpoolService;
  securityGroups: SecurityGroupService;
  groups: SecurityGroupStore;
  /** The pod side's copy deleter (through the API's socket). */
  deleter: BottomNetworkDeleter;
  jobs?: Pick<JobService, 'signal'>;
}

/** The top tables of each kind of copied object. */
const TABLE_OF = { network: 'networks', subnet: 'subnets', port: 'ports', router: 'routers', floatingip: 'floatingips' } as const;

export function createTopNetworkState(p: TopNetworkStateParts): TopNetworkState {
  const { db } = p;
  const copies: TopCopies = {
    async deleteCopiesOf(ids, ctx: BottomCallContext) {
      const found = await copiesOf(p.routings, ids);
      await deleteCopies(p.routings, { pods: p.pods, deleter: p.deleter, logger: p.logger }, found, ctx);
    },
  };
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
    subnetCidrs: sqlSubnetCidrs(db, p.routings),
    copies,
    l3FollowUps: { request: (input) => requestL3FollowUps(db, p.jobs, input) },
    routers: topRouters(db),
    sharing: topSharing(db),
    floatingIps: topFloatingIps(db),
    bridges: new BridgeNetworks({
      db,
      settings: p.settings,
      bridgeCidrText: p.bridgeCidrText,
      routings: p.routings,
      pools: p.pools,
      ports: p.ports,
      copies,
      logger: p.logger.child({ component: 'l3' }),
    }),
    async existing(kind: TopKind, ids: string[]) {
      const out = new Set<string>();
      for (let i = 0; i < ids.length; i += 200) {
        const chunk = ids.slice(i, i + 200);
        const rows = await db.kysely.selectFrom(TABLE_OF[kind]).select('id').where('id', 'in', chunk).execute();
        for (const r of rows) out.add(r.id);
      }
      return out;
    },
    async projectsWithL3State() {
      const k = db.kysely;
      const [routers, fips, nets] = await Promise.all([
        k.selectFrom('routers').select('project_id').distinct().execute(),
        k.selectFrom('floatingips').select('project_id').distinct().execute(),
        k.selectFrom('networks').select('project_id').distinct().where('external', '=', 1).execute(),
      ]);
      return [...new Set([...routers, ...fips, ...nets].map((r) => r.project_id))];
    },
  };
}
