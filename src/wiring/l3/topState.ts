/**
 * The routing rows the L3 jobs read and drop: where the copies of networks, routers and floating IPs
 * are. (The top state itself they read through TopNetworkState, fresh at every run.)
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../../db/index.js';

type Trx = Transaction<Database> | Kysely<Database>;

/** The pods holding a copy of each network, in the order the copies were made (complete routing rows only). */
export async function networkPods(trx: Trx, networkIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (networkIds.length === 0) return out;
  const rows = await trx
    .selectFrom('resource_routings')
    .select(['top_id', 'pod_id'])
    .where('resource_type', '=', 'network')
    .where('top_id', 'in', networkIds)
    .where('bottom_id', 'is not', null)
    .orderBy('id')
    .execute();
  for (const r of rows) out.set(r.top_id, [...(out.get(r.top_id) ?? []), r.pod_id]);
  return out;
}

/** A complete routing row's bottom id, or undefined. */
export async function bottomIdOf(db: Db, topId: string, podId: string, type: string): Promise<string | undefined> {
  const row = await db.kysely
    .selectFrom('resource_routings')
    .select('bottom_id')
    .where('top_id', '=', topId)
    .where('pod_id', '=', podId)
    .where('resource_type', '=', type)
    .executeTakeFirst();
  return row?.bottom_id ?? undefined;
}

/** Drops the routing rows of a pod that point at a bottom object (after it was deleted there). */
export async function dropRoutingByBottom(db: Db, podId: string, type: string, bottomId: string): Promise<void> {
  await db.kysely.deleteFrom('resource_routings').where('pod_id', '=', podId).where('resource_type', '=', type).where('bottom_id', '=', bottomId).execute();
}
