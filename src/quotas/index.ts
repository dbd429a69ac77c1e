/**
 * Quotas as limits, one mechanism for compute, volumes and networking: admission under a per-project
 * lock in the transaction that records the new resources (see admission.ts), claims for resources that
 * live in the pods (ledger.ts), per-project limit overrides (limits.ts). Usage is always the top's own
 * state, never a pod's answer. See docs/operations.md, "Quotas".
 */
export { admitInTransaction, checkDemands, lockProjectQuota, quotaTransaction, QuotaExceeded, type Demand, type Over, type QuotaScope } from './admission.js';
export { ClaimLedger, DEFAULT_PENDING_TTL_MS, type Claim, type ClaimLedgerOptions, type HeldState } from './ledger.js';
export { QuotaLimits } from './limits.js';
export type * from './tables.js';
