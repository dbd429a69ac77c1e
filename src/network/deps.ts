import type { PodClientFactory } from '../bottom/index.js';
import type { Logger } from '../common/index.js';
import type { Db } from '../db/index.js';
import type { PodRegistry } from '../pods/index.js';
import type { RoutingTable } from '../routing/index.js';
import type { JobService } from '../xjob/index.js';
import type { NetworkPodSide } from './podSide.js';
import type { NetworkQuotaService } from './quotas/service.js';
import type { NetworkSettings } from './settings.js';

/** What the top networking service is built from; made once per process in module.ts. */
export interface NetworkDeps {
  db: Db;
  pods: PodRegistry;
  routings: RoutingTable;
  settings: NetworkSettings;
  logger: Logger;
  /** The work the services need done in the pods (src/wiring implements it). */
  podSide: NetworkPodSide;
  /** The pods' Neutron, read for the live state of ports; absent: ports show their top rows. */
  podClients?: Pick<PodClientFactory, 'neutron'>;
  /** Wakes the job workers once a transaction that requested jobs has committed; absent: their periodic scan finds the jobs. */
  jobs?: Pick<JobService, 'signal'>;
  /** The top's networking quotas: creates are admitted in their transaction. */
  quotas: NetworkQuotaService;
  /** The service's public base URL (for links); known once the listener is bound, so only routes read it. */
  publicUrl(): string;
}
