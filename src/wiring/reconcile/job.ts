/**
 * The `reconcile` job: resource = a project id, or `all` for every project that owns routers,
 * floating IPs, external networks or routed copies (that run only requests one job per project, so
 * each project is retried on its own). Requested periodically by the xjob service
 * (`[xjob] reconcile_interval`) and on demand: `POST /v1.0/jobs {"job": {"type": "reconcile",
 * "project_id": P, "resource": {"project_id": P or "all"}}}`.
 */
import type { JobHandlers } from '../../xjob/index.js';
import { reconcileProject, repairIntents, type ReconcileDeps, type ReconcileReport } from './reconciler.js';
import { projectsToReconcile } from './top.js';

export const RECONCILE_JOB = 'reconcile';
export const ALL_PROJECTS = 'all';

/** Thrown when a run found things it could not repair; the job is retried with backoff. */
export class ReconcileIncomplete extends Error {
  override name = 'ReconcileIncomplete';
  constructor(readonly report: ReconcileReport) {
    super(`reconcile of project ${report.projectId} left ${report.errors.length} problem(s): ${report.errors.join('; ')}`);
  }
}

/** The `reconcile` handler, for the composition root to register. */
export function reconcileJobHandlers(deps: ReconcileDeps): JobHandlers {
  return {
    [RECONCILE_JOB]: {
      resourceSchema: ['project_id'],
      description: `Compare a project's routers, floating IPs and external networks with the pods and repair drift ("${ALL_PROJECTS}": every project)`,
      maxAttempts: 3,
      async run(job, ctx) {
        const target = job.resource.project_id;
        if (target === ALL_PROJECTS) {
          // Stale intents of every project first (a project whose only rows are intents has no run of its own).
          await repairIntents(deps, undefined, { logger: ctx.logger, signal: ctx.signal });
          for (const projectId of await projectsToReconcile(deps.core.routings, deps.top)) {
            if (ctx.signal.aborted) return;
            await ctx.submit({ type: RECONCILE_JOB, projectId, resource: { project_id: projectId } });
          }
          return;
        }
        const report = await reconcileProject(deps, target, {
          submit: (request) => ctx.submit(request),
          ctx: { requestId: `req-reconcile-${job.id}` },
          logger: ctx.logger,
          signal: ctx.signal,
        });
        if (report.errors.length > 0) throw new ReconcileIncomplete(report);
      },
    },
  };
}
