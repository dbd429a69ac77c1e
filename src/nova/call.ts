import { forbidden } from '../common/index.js';
import type { GatewayCall } from '../gateway/index.js';
import type { RequestContext } from '../identity/index.js';
import type { PolicyEnforcer } from '../policy/index.js';

/** One compute API call as the gateway's services see it (no Fastify types). */
export type NovaCall<Body = unknown, Params = Record<string, string>> = GatewayCall<Body, Params>;

export { qAll, qLast } from '../gateway/index.js';

/**
 * Nova's admin-only rules: the policy file decides when it names the rule (e.g.
 * `os_compute_api:os-flavor-manage:create`), otherwise the admin role is required.
 */
export function requireAdmin(policy: PolicyEnforcer, ctx: RequestContext, rule: string, target: Record<string, string> = {}): void {
  if (policy.has(rule)) {
    if (!policy.enforce(rule, { project_id: ctx.projectId, ...target }, ctx)) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
    return;
  }
  if (!ctx.isAdmin) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
}
