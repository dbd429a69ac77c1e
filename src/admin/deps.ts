import type { FastifyRequest } from 'fastify';
import type { PolicyEnforcer, PolicySubject } from '../policy/index.js';
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
  /** Base URL for links, e.g. http://127.0.0.1:19999; set once the listener is bound. */
  publicUrl: string;
}

export function authorize(services: AdminServices, req: FastifyRequest, rule: string, target: Record<string, unknown> = {}): void {
  const subject = req.context as unknown as PolicySubject;
  services.policy.authorize(rule, { project_id: subject.projectId, ...target }, subject);
}
