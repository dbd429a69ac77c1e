import { badRequest, conflict, notFound } from '../../common/index.js';
import type { CinderDeps } from '../deps.js';
import type { PlacedVolume } from './placement.js';

/**
 * The id, in the volume's pod, of a server of the project that a volume is attached to
 * (`os-attach`, the attachments API): the server's route (written by the Nova gateway) must exist
 * (404) and be in the volume's pod (400 naming both pods); a server still being created is 409.
 */
export async function serverInVolumePod(deps: CinderDeps, projectId: string, serverId: string, placed: PlacedVolume): Promise<string> {
  const routes = await deps.core.routings.findByTop(serverId, 'server', projectId);
  if (routes.length === 0) throw notFound(`Instance ${serverId} could not be found.`);
  const route = routes.find((r) => r.podId === placed.pod.id);
  if (!route) {
    const serverPod = await deps.core.pods.find(routes[0].podId);
    throw badRequest(
      `Server and volume not in the same pod: server ${serverId} is in availability zone ${serverPod?.azName ?? 'unknown'} (pod ${serverPod?.regionName ?? routes[0].podId}), ` +
        `volume ${placed.id} in availability zone ${placed.pod.azName} (pod ${placed.pod.regionName}).`,
    );
  }
  if (!route.bottomId) throw conflict(`Instance ${serverId} is still being created; attach the volume when it is active.`);
  return route.bottomId;
}
