import type { Logger } from '../common/index.js';
import type { Pod } from '../pods/index.js';
import type { RequestContext } from '../identity/index.js';
import type { PolicyEnforcer } from '../policy/index.js';
import type { PodBindings, PodRegistry, SqlEndpointStore } from '../pods/index.js';
import type { RoutingTable } from '../routing/index.js';
import type { JobService } from '../xjob/index.js';

/** What the admin API routes call; built once in server.ts. */
export interface AdminServices {
  pods: PodRegistry;
  bindings: PodBindings;
  routings: RoutingTable;
  endpoints: SqlEndpointStore;
  policy: PolicyEnforcer;
  /** Asynchronous jobs (the /v1.0/jobs routes). */
  jobs: JobService;
  /**
   * Warnings about a pod just registered (Keystone knows no such region, or it has no endpoints for
   * a service the gateways use); empty when all is well.
   */
  endpointCheck?: (pod: Pod) => Promise<string[]>;
  logger?: Logger;
  /** Base URL for links, e.g. http://127.0.0.1:19999; set once the listener is bound. */
  publicUrl: string;
}

/** 403 unless the caller's roles satisfy `rule`. */
export function authorize(services: AdminServices, ctx: RequestContext, rule: string, target: Record<string, unknown> = {}): void {
  services.policy.authorize(rule, { project_id: ctx.projectId, ...target }, ctx);
}
