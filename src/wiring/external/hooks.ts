/**
 * The networks and subnets services call these once a create has committed at the top: external
 * networks (and subnets on them) get their copies in their pod inside the request. When the pod fails,
 * the request fails and the top objects just made are deleted again (with whatever part of the copies
 * the pod did make), so nothing is left half-made. Should that undo fail too, the periodic reconciler
 * finishes the job from the top state. With `[tricircle] external_network_copy_at_create = false` the
 * copies are left to first use and to the reconciler.
 */
import type { BottomCallContext } from '../../bottom/index.js';
import type { CoreServices } from '../../services.js';
import { ensureExternalNetworkInPod, podFailure } from './place.js';

/**
 * Copies the external networks `networkIds` (with all their subnets) into their pods; on failure runs
 * `undo` and throws the request's error. `what` names the request in the error ("Create of network X").
 */
export async function copyExternalOrUndo(
  core: CoreServices,
  networkIds: string[],
  ctx: Partial<BottomCallContext>,
  what: string,
  undo: () => Promise<void>,
): Promise<void> {
  const ids = [...new Set(networkIds)];
  if (ids.length === 0 || !core.config.tricircle.external_network_copy_at_create) return;
  try {
    for (const id of ids) await ensureExternalNetworkInPod(core, id, ctx);
  } catch (err) {
    try {
      await undo();
    } catch (undoErr) {
      core.logger.error({ err: undoErr, networks: ids }, 'could not undo a create whose external network copy failed; the reconciler will finish it');
    }
    throw podFailure(what, undefined, err);
  }
}
