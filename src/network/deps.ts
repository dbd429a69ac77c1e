import type { Logger } from '../common/logging.js';
import type { Db } from '../db/index.js';
import type { PodRegistry } from '../pods/index.js';
import type { RoutingTable } from '../routing/index.js';
import type { CoreServices } from '../services.js';
import type { BottomNetworkDeleter } from './bottomCopies.js';
import type { NetworkSettings } from './settings.js';

/** What the top networking service is built from; made once per process in module.ts. */
export interface NetworkDeps {
  db: Db;
  pods: PodRegistry;
  routings: RoutingTable;
  settings: NetworkSettings;
  logger: Logger;
  /** Deletes the pods' copies of deleted top objects. */
  bottom: BottomNetworkDeleter;
  /** The process's shared services, for parts (security groups) that need more than the above. */
  core: CoreServices;
  /** The service's public base URL (for links); known once the listener is bound. */
  publicUrl(): string;
}
