/**
 * The job handlers of the pod side of routers and floating IPs. Both take the plain top id as their
 * resource (the top requests them so, see src/network/routers/jobs.ts) and reconcile every pod from
 * the current top state, so any number of runs end in the same place.
 */
import type { Job, JobContext, JobHandlers } from '../../xjob/index.js';
import { FIP_SETUP_JOB, ROUTER_SETUP_JOB } from '../../network/index.js';
import { setupFloatingIp } from './fips.js';
import { setupRouter, type SetupContext } from './routerSetup.js';
import { jobCallContext, type L3Tools } from './tools.js';

/** The `router_setup` and `fip_setup` handlers, for the composition root to register. */
export function l3JobHandlers(tools: L3Tools): JobHandlers {
  const setupContext = (job: Job, ctx: JobContext): SetupContext => ({
    tools,
    ctx: jobCallContext(job.id),
    signal: ctx.signal,
    submit: (request) => ctx.submit(request),
  });
  return {
    [ROUTER_SETUP_JOB]: {
      description: "Brings the pods to a top router: its copies, their interfaces and gateways, the project's bridge network, extra routes",
      async run(job, ctx) {
        await setupRouter(setupContext(job, ctx), job.resource.id, job.projectId);
        await tools.top.routers.setInterfaceStatus(job.resource.id, ['DOWN', 'ERROR'], 'ACTIVE');
      },
      // Interfaces the pods do not have yet show ERROR while the job fails (ACTIVE ones stay: a later
      // success may have written them already).
      async onFailedRun(job) {
        await tools.top.routers.setInterfaceStatus(job.resource.id, ['DOWN'], 'ERROR');
      },
    },
    [FIP_SETUP_JOB]: {
      description: 'Brings the pods to a top floating IP (same pod, or two hops through the bridge network) and sets its status',
      async run(job, ctx) {
        await setupFloatingIp(setupContext(job, ctx), job.resource.id);
      },
      // An association the pods do not have yet (DOWN) shows ERROR while the job fails; its next success sets ACTIVE.
      async onFailedRun(job) {
        await tools.top.floatingIps.setStatus(job.resource.id, 'DOWN', 'ERROR');
      },
    },
  };
}
