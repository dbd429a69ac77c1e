/**
 * The reconciler: compares top intent (routers, floating IPs, external networks, routing rows) with
 * the pods and repairs drift, as the `reconcile` job (periodic and on demand).
 */
export { reconcileProject, repairIntents, intentStaleAfterMs, type ReconcileDeps, type ReconcileOptions, type ReconcileReport } from './reconciler.js';
export { routerDrift, floatingIpDrift, expectedRouterPods, type DriftInput } from './drift.js';
export { RECONCILE_JOB, ALL_PROJECTS, ReconcileIncomplete, reconcileJobHandlers } from './job.js';
export { startReconcileTimer, type ReconcileTimer } from './timer.js';
export type { Finding, PodView, TopRouter, TopFloatingIp, RouteRow } from './model.js';
export { RouteIndex } from './model.js';
