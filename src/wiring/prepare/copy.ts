/**
 * Get-or-create of one pod copy through the routing lock (reference §2.3): the routing row with an
 * empty bottom id is the claim; the claimant looks for a copy a failed attempt left behind (named by
 * the top id) before creating one, and removes what a failed create may have left before giving up
 * the claim. A copy therefore never exists without its routing row for longer than one failed attempt.
 */
import type { Logger } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingLock } from '../../routing/index.js';

export type CopyKind = 'network' | 'subnet' | 'port' | 'qos_policy' | 'trunk' | 'port_forwarding';

export interface CopySpec {
  kind: CopyKind;
  topId: string;
  pod: Pod;
  projectId: string;
  /** Creates the copy, named so `find` finds it; returns its id. */
  create(): Promise<string>;
  /** Ids of the pod objects named for the top object (normally none or one). */
  find(): Promise<string[]>;
  remove(bottomId: string): Promise<void>;
  /** The top object was made by this very request: no failed attempt can have left a copy, so none is looked for. */
  fresh?: boolean;
}

export interface CopyResult {
  bottomId: string;
  /** True when this call made the copy (or adopted one a failed attempt left). */
  created: boolean;
}

export async function ensureCopy(lock: Pick<RoutingLock, 'getOrCreateBottom'>, spec: CopySpec, logger?: Logger): Promise<CopyResult> {
  const where = { kind: spec.kind, topId: spec.topId, pod: spec.pod.regionName };
  return lock.getOrCreateBottom({
    topId: spec.topId,
    podId: spec.pod.id,
    projectId: spec.projectId,
    resourceType: spec.kind,
    async create() {
      // We hold the claim, so a copy named for the top object has no route: a failed attempt left it.
      const [leftover, ...extra] = spec.fresh ? [] : await spec.find();
      for (const id of extra) await spec.remove(id).catch((err: unknown) => logger?.warn({ err, ...where, bottomId: id }, 'could not remove a duplicate copy'));
      if (leftover !== undefined) {
        logger?.info({ ...where, bottomId: leftover }, 'adopted a copy a failed attempt left in the pod');
        return leftover;
      }
      try {
        return await spec.create();
      } catch (err) {
        // The pod may have made the object and lost the answer: do not leave it unrouted.
        const made = await spec.find().catch(() => [] as string[]);
        for (const id of made) await spec.remove(id).catch((e: unknown) => logger?.warn({ err: e, ...where, bottomId: id }, 'could not remove a copy after a failed create'));
        throw err;
      }
    },
    findByName: async () => (await spec.find())[0],
    discard: (id) => spec.remove(id),
  });
}
