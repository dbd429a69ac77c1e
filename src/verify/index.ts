// Proving a project's networking with packets: ping and TCP between its servers across pods, to the
// outside, and from the outside to its floating IPs, from inside the hosts themselves.
export {
  checkOf,
  connectivityMatrix,
  verifyConnectivity,
  type CheckKind,
  type ConnectivityCheck,
  type ConnectivityReport,
  type ProbeHost,
  type ProbeTarget,
  type VerifyOptions,
} from './connectivity.js';
export { ProbeAgent, ProbeAgentPool } from './agents.js';
export { BANNER, type ProbeResult } from './probeProtocol.js';
