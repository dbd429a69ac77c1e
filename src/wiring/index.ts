/**
 * The pod-side wiring of the top networking service (docs/l3.md, docs/network-api.md): copies of top
 * networks, subnets, ports and security groups in the pods at server boot, the L3 jobs (router copies,
 * bridge networks, extra routes, floating IPs), external network copies and the reconciler. Built once
 * per process by createWiring over the top networking service's interfaces.
 */
export { createWiring, type Wiring, type WiringOptions } from './module.js';
export type { ServerNetworkPreparer, ServerNicRequest, PreparedNic, NeutronOf } from './prepare/index.js';
export type { ExternalPlacement } from './external/index.js';
export type { ReconcileOptions, ReconcileReport } from './reconcile/index.js';
