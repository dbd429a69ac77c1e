/** Tags (the standard-attr-tag extension) of networks, subnets, ports and subnet pools, in resource_tags. */
import type { Trx } from './tx.js';

/** resource_type values: the collection names. */
export type TaggedCollection = 'networks' | 'subnets' | 'ports' | 'subnetpools' | 'security_groups' | 'routers' | 'floatingips' | 'qos_policies' | 'trunks';

export async function tagsOf(trx: Trx, type: TaggedCollection, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await trx.selectFrom('resource_tags').select(['resource_id', 'tag']).where('resource_type', '=', type).where('resource_id', 'in', ids).orderBy('tag').execute();
  for (const r of rows) out.set(r.resource_id, [...(out.get(r.resource_id) ?? []), r.tag]);
  return out;
}

export async function dropTags(trx: Trx, type: TaggedCollection, ids: string[]): Promise<void> {
  if (ids.length) await trx.deleteFrom('resource_tags').where('resource_type', '=', type).where('resource_id', 'in', ids).execute();
}

export async function replaceTags(trx: Trx, type: TaggedCollection, id: string, tags: string[]): Promise<void> {
  await dropTags(trx, type, [id]);
  const unique = [...new Set(tags)];
  if (unique.length)
    await trx
      .insertInto('resource_tags')
      .values(unique.map((tag) => ({ resource_id: id, resource_type: type, tag })))
      .execute();
}
