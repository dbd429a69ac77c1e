import type { Kysely } from 'kysely';
import type { Dialect } from '../url.js';

/**
 * The routing table learns intents, and gets the indexes its named queries need.
 *
 * - `intent`: JSON text on a row a gateway writes before it asks a pod to create a server or a
 *   volume (no bottom id yet): what a repair needs to find the resource in the pod if the gateway
 *   dies before it records the answer (request id, name, creation details). NULL on every other row.
 * - `(resource_type, pod_id)`: per-pod lookups by type (copies in a pod, bottom-to-top maps).
 * - `(project_id, resource_type, pod_id)`: per-project counts by pod (the scheduler) and the pods
 *   that hold a project's resources of a type; it supersedes the `(project_id, resource_type)` index.
 */
export function routingIntents(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('resource_routings').addColumn('intent', 'text').execute();
      await db.schema.createIndex('resource_routings_type_pod_idx').on('resource_routings').columns(['resource_type', 'pod_id']).execute();
      await db.schema.createIndex('resource_routings_project_type_pod_idx').on('resource_routings').columns(['project_id', 'resource_type', 'pod_id']).execute();
      await dropIndex(db, dialect, 'resource_routings_project_idx');
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('resource_routings_project_idx').on('resource_routings').columns(['project_id', 'resource_type']).execute();
      await dropIndex(db, dialect, 'resource_routings_project_type_pod_idx');
      await dropIndex(db, dialect, 'resource_routings_type_pod_idx');
      await db.schema.alterTable('resource_routings').dropColumn('intent').execute();
    },
  };
}

/** DROP INDEX names the table on MySQL only. */
function dropIndex(db: Kysely<any>, dialect: Dialect, name: string): Promise<void> {
  const q = db.schema.dropIndex(name);
  return (dialect === 'mysql' ? q.on('resource_routings') : q).execute();
}
