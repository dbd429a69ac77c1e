import type { InsertObject, Kysely, Selectable } from 'kysely';
import type { Database, Dialect, ResourceRoutingsTable } from '../db/index.js';

export const RESOURCE_TYPES = [
  'network',
  'subnet',
  'port',
  'router',
  'security_group',
  'floatingip',
  'subnetpool',
  'server',
  'volume',
  'keypair',
  'flavor',
  'volume_type',
  'qos_policy',
  'trunk',
  'port_forwarding',
  // Block storage records routed by the Cinder gateway (docs/cinder-api.md), and its QoS spec copies.
  'snapshot',
  'backup',
  'transfer',
  'attachment',
  'qos_specs',
  // The pods' copies of top server groups (src/nova/groups).
  'server_group',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface Routing {
  id: number;
  topId: string;
  /** Null while the bottom resource is being created (a lock claim, or a gateway's intent). */
  bottomId: string | null;
  podId: string;
  projectId: string;
  resourceType: string;
  createdAt: number;
  updatedAt: number;
}

export function toRouting(row: Selectable<ResourceRoutingsTable>): Routing {
  return {
    id: Number(row.id),
    topId: row.top_id,
    bottomId: row.bottom_id,
    podId: row.pod_id,
    projectId: row.project_id,
    resourceType: row.resource_type,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Column values of a new row; timestamps may be SQL (the database clock). */
export type RouteValues = InsertObject<Database, 'resource_routings'>;

/** Inserts one row and returns its id (MySQL has no RETURNING). */
export async function insertRow(q: Kysely<Database>, dialect: Dialect, values: RouteValues): Promise<number> {
  if (dialect === 'mysql') return Number((await q.insertInto('resource_routings').values(values).executeTakeFirstOrThrow()).insertId);
  return Number((await q.insertInto('resource_routings').values(values).returning('id').executeTakeFirstOrThrow()).id);
}

/**
 * Inserts rows whose (top_id, pod_id, resource_type) is free and skips the others, without the
 * unique violation that would abort a PostgreSQL transaction. Only that key is ignored: a missing
 * pod still fails (MySQL's INSERT IGNORE would swallow that too).
 */
export async function insertUnlessRouted(q: Kysely<Database>, dialect: Dialect, rows: RouteValues[]): Promise<void> {
  if (rows.length === 0) return;
  const insert = q.insertInto('resource_routings').values(rows);
  if (dialect === 'mysql') await insert.onDuplicateKeyUpdate((eb) => ({ top_id: eb.ref('resource_routings.top_id') })).execute();
  else await insert.onConflict((oc) => oc.columns(['top_id', 'pod_id', 'resource_type']).doNothing()).execute();
}

/** Values are sent to the database in lists of at most this many (well under every dialect's bound-parameter limit). */
export const CHUNK = 500;

export function chunks<T>(values: readonly T[]): T[][] {
  const unique = [...new Set(values)];
  const out: T[][] = [];
  for (let i = 0; i < unique.length; i += CHUNK) out.push(unique.slice(i, i + CHUNK));
  return out;
}
