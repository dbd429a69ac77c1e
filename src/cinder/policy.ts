import { forbidden } from '../common/index.js';
import type { RequestContext } from '../identity/index.js';
import type { PolicyEnforcer } from '../policy/index.js';

/**
 * Cinder's admin-only actions. A policy file may define the rule (e.g. `volume_extension:types_manage`);
 * without one the default is Cinder's: the caller needs the admin role.
 */
export function authorizeAdmin(policy: PolicyEnforcer, ctx: RequestContext, rule: string): void {
  if (policy.has(rule)) {
    policy.authorize(rule, { project_id: ctx.projectId }, ctx);
    return;
  }
  if (!ctx.isAdmin) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
}
