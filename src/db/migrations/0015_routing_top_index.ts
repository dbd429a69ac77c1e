import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * An index on `(top_id, resource_type)` for the route of one top resource (every show, update and
 * delete of a server or volume). The unique `(top_id, pod_id, resource_type)` constraint covers it
 * in principle, but without table statistics SQLite weighs it equal to `(resource_type, pod_id)`
 * and picks the latter, scanning every row of the type: 29 ms per server show at 20k rows
 * (bench/routing-table.ts). With two equality columns this index wins the planner's tie.
 */
export function routingTopIndex(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('resource_routings_top_type_idx').on('resource_routings').columns(['top_id', 'resource_type']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      const q = db.schema.dropIndex('resource_routings_top_type_idx');
      await (dialect === 'mysql' ? q.on('resource_routings') : q).execute();
    },
  };
}
