/**
 * The durable half of a server delete: once the pod no longer knows the server, the ports made for it
 * and its routing entry go. The gateway also watches in the background for a quick cleanup; this job
 * finishes the work when that process died or gave up.
 */
import { isBottomNotFound } from '../../bottom/index.js';
import { createRequestContext } from '../../identity/index.js';
import type { ServerNetworkPreparer } from '../../wiring/index.js';
import type { CoreServices } from '../../services.js';
import type { JobHandlers } from '../../xjob/index.js';

export const SERVER_CLEANUP_JOB = 'server_cleanup';

/** The `server_cleanup` handler, for the composition root to register; `networks` releases the server's ports. */
export function serverCleanupJobHandlers(core: CoreServices, networks: ServerNetworkPreparer): JobHandlers {
  return {
    [SERVER_CLEANUP_JOB]: {
      description: 'After a server delete: once the pod has forgotten the server, deletes the ports made for it and its routing entry',
      maxAttempts: 12,
      async run(job) {
        const serverId = job.resource.id;
        const requestId = `req-${job.id}`;
        const routes = await core.routings.findByTop(serverId, 'server');
        for (const route of routes) {
          const pod = await core.pods.find(route.podId);
          if (!pod || !route.bottomId) continue;
          let present = true;
          try {
            await core.podClients.nova(pod).getServer({ requestId }, route.bottomId, { asAdmin: true });
          } catch (err) {
            if (!isBottomNotFound(err)) throw err;
            present = false;
          }
          if (present) throw new Error(`server ${serverId} is still being deleted in pod ${pod.regionName}`);
        }
        const service = createRequestContext({ userId: 'tricircle', projectId: job.projectId, roles: ['admin'], requestId, authToken: '' });
        await networks.cleanupServerPorts(service, serverId);
        for (const route of routes) {
          await core.routings.delete(route.id).catch((err: { status?: number }) => {
            if (err.status !== 404) throw err;
          });
        }
      },
    },
  };
}
