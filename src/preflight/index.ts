export { checkPod, checkPods, type PodCheckDeps } from './checkPod.js';
export { CurrentCatalogStore } from './catalogStore.js';
export type { PodUnderCheck, PreflightDeps, TopView } from './context.js';
export { preflightSettings, type PhysnetRange, type PreflightSettings } from './settings.js';
export { PROBE_NETWORK_NAME } from './providerNetworks.js';
export type { CheckResult, CheckStatus, PodCheckReport } from './report.js';
