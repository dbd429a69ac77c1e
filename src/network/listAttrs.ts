/** Filters shared by several collections: project ids and tags. */
import { sql } from 'kysely';
import type { AnyEb, ListAttr } from './query.js';
import type { TaggedCollection } from './tags.js';

export const projectFilters = (column: string): Record<string, ListAttr> => ({
  project_id: { kind: 'string', column, sortable: true },
  tenant_id: { kind: 'string', column, sortable: true },
});

const splitTags = (values: string[]) => values.flatMap((v) => v.split(',')).filter((t) => t !== '');

/** tags (all of), tags-any, not-tags (not all of), not-tags-any (none of); values are comma-separated. */
export function tagFilters(type: TaggedCollection, idColumn: string): Record<string, ListAttr> {
  const tagged = (eb: AnyEb, tag: string) =>
    eb.exists(
      eb
        .selectFrom('resource_tags')
        .select(sql<number>`1`.as('one'))
        .where('resource_tags.resource_type', '=', type)
        .where('resource_tags.resource_id', '=', eb.ref(idColumn))
        .where('resource_tags.tag', '=', tag),
    );
  const all = (eb: AnyEb, tags: string[]) => eb.and(tags.map((t) => tagged(eb, t)));
  const any = (eb: AnyEb, tags: string[]) => (tags.length ? eb.or(tags.map((t) => tagged(eb, t))) : sql<boolean>`1 = 0`);
  return {
    tags: { kind: 'custom', filter: (eb, v) => all(eb, splitTags(v)) },
    'tags-any': { kind: 'custom', filter: (eb, v) => any(eb, splitTags(v)) },
    'not-tags': { kind: 'custom', filter: (eb, v) => eb.not(all(eb, splitTags(v))) },
    'not-tags-any': { kind: 'custom', filter: (eb, v) => eb.not(any(eb, splitTags(v))) },
  };
}
