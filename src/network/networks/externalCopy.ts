/**
 * The networks and subnets services call this once a create has committed at the top: external
 * networks (and subnets on them) get their copies in their pod inside the request. When the pod fails,
 * the request fails and the top objects just made are deleted again (with whatever part of the copies
 * the pod did make), so nothing is left half-made. Should that undo fail too, the periodic reconciler
 * finishes the job from the top state. With `[tricircle] external_network_copy_at_create = false` the
 * copies are left to first use and to the reconciler.
 */
import type { BottomCallContext } from '../../bottom/index.js';
import { BottomError, PodUnreachableError } from '../../bottom/index.js';
import { ApiError } from '../../common/index.js';
import type { NetworkDeps } from '../deps.js';

/**
 * Copies the external networks `networkIds` (with all their subnets) into their pods; on failure runs
 * `undo` and throws the request's error. `what` names the request in the error ("Create of network X").
 */
export async function copyExternalOrUndo(
  deps: Pick<NetworkDeps, 'podSide' | 'settings' | 'logger'>,
  networkIds: string[],
  ctx: Partial<BottomCallContext>,
  what: string,
  undo: () => Promise<void>,
): Promise<void> {
  const ids = [...new Set(networkIds)];
  if (ids.length === 0 || !deps.settings.externalNetworkCopyAtCreate) return;
  try {
    for (const id of ids) await deps.podSide.externalNetworks.placeInPod(id, ctx);
  } catch (err) {
    try {
      await undo();
    } catch (undoErr) {
      deps.logger.error({ err: undoErr, networks: ids }, 'could not undo a create whose external network copy failed; the reconciler will finish it');
    }
    throw podFailure(what, undefined, err);
  }
}

/**
 * The error a request gets when the external network's pod failed: the pod's own 4xx/5xx message
 * under Neutron's type for a failed pod operation, 503 when the pod could not be reached.
 */
export function podFailure(what: string, pod: string | undefined, err: unknown): ApiError {
  if (err instanceof PodUnreachableError) return new ApiError(503, `${what}: ${err.message}`, 'HTTPServiceUnavailable');
  if (err instanceof BottomError) {
    return new ApiError(500, `${what} failed in pod ${err.region}: ${err.message}`, 'BottomPodOperationFailure');
  }
  if (err instanceof ApiError) return err;
  return new ApiError(500, `${what} failed${pod ? ` in pod ${pod}` : ''}: ${err instanceof Error ? err.message : String(err)}`, 'BottomPodOperationFailure');
}
