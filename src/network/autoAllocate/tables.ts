/** The auto-allocated topologies of projects (migration 0016_auto_allocated_topology). */
export interface AutoAllocatedTopologiesTable {
  /** One topology per project: the key. */
  project_id: string;
  network_id: string;
  /** The router that connects the network to the default external network; null once it is gone. */
  router_id: string | null;
  created_at: number;
}

declare module '../../db/tables.js' {
  interface Database {
    auto_allocated_topologies: AutoAllocatedTopologiesTable;
  }
}
