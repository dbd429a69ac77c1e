/**
 * The pods' copies of top networks, subnets and ports, found through the routing table. Deleting a top
 * object deletes its copies pod by pod (ports, then subnets, then networks) and their routing rows.
 */
import type { BottomCallContext } from '../bottom/index.js';
import type { Logger } from '../common/index.js';
import type { Pod, PodRegistry } from '../pods/index.js';
import type { RoutingTable } from '../routing/index.js';

export type CopyKind = 'network' | 'subnet' | 'port';

/**
 * Deletes one copy in a pod; a copy that is already gone counts as deleted. The pod side implements it
 * (src/wiring, over the pods' Neutron with the service account: copies may be provider networks).
 */
export interface BottomNetworkDeleter {
  deleteCopy(pod: Pod, kind: CopyKind, bottomId: string, ctx: BottomCallContext): Promise<void>;
}

/** Top objects by kind, as the routing table names them. */
export interface TopIds {
  networks?: string[];
  subnets?: string[];
  ports?: string[];
}

/** The pods' copies of top objects, as the API deletes them with the objects (what the pod side uses of this file). */
export interface TopCopies {
  /** Deletes the copies of the objects in every pod, and their routing rows (rows of copies being made are left alone). */
  deleteCopiesOf(ids: TopIds, ctx: BottomCallContext): Promise<void>;
}

export interface CopyRef {
  routingId: number;
  podId: string;
  kind: CopyKind;
  topId: string;
  bottomId: string | null;
}

/** Routing rows of the given top objects (`routings` may be bound to the caller's transaction). */
export async function copiesOf(routings: RoutingTable, topIds: TopIds): Promise<CopyRef[]> {
  const wanted: [CopyKind, string[]][] = [
    ['port', topIds.ports ?? []],
    ['subnet', topIds.subnets ?? []],
    ['network', topIds.networks ?? []],
  ];
  const out: CopyRef[] = [];
  for (const [kind, ids] of wanted) {
    if (ids.length === 0) continue;
    for (const r of await routings.findByTops(kind, ids)) out.push({ routingId: r.id, podId: r.podId, kind, topId: r.topId, bottomId: r.bottomId });
  }
  return out;
}

const ORDER: Record<CopyKind, number> = { port: 0, subnet: 1, network: 2 };

/**
 * Deletes the copies (pods in parallel; within a pod ports, subnets, then networks) and each copy's
 * routing row once it is gone. Rows without a bottom id (a copy being made) are left to the caller's
 * transaction. Throws the first pod failure after the other pods have finished.
 */
export async function deleteCopies(
  routings: RoutingTable,
  deps: { pods: PodRegistry; deleter: BottomNetworkDeleter; logger?: Logger },
  copies: CopyRef[],
  ctx: BottomCallContext,
): Promise<void> {
  const byPod = new Map<string, CopyRef[]>();
  for (const c of copies) if (c.bottomId !== null) byPod.set(c.podId, [...(byPod.get(c.podId) ?? []), c]);
  const results = await Promise.allSettled(
    [...byPod].map(async ([podId, list]) => {
      const pod = await deps.pods.find(podId);
      for (const c of list.sort((a, b) => ORDER[a.kind] - ORDER[b.kind])) {
        if (pod) await deps.deleter.deleteCopy(pod, c.kind, c.bottomId!, ctx);
        else deps.logger?.warn({ podId, kind: c.kind, bottomId: c.bottomId }, 'routing row points at an unknown pod; dropping it');
        await routings.deleteIfExists(c.routingId);
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Drops every remaining routing row of the given top objects (inside the top delete's transaction). */
export async function dropRoutingRows(routings: RoutingTable, topIds: { networks?: string[]; subnets?: string[]; ports?: string[] }): Promise<void> {
  for (const [kind, ids] of [
    ['port', topIds.ports ?? []],
    ['subnet', topIds.subnets ?? []],
    ['network', topIds.networks ?? []],
  ] as const) {
    if (ids.length) await routings.deleteByTop(kind, ids);
  }
}
