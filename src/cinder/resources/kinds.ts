import type { JsonObject } from '../../bottom/index.js';

/** How a list record is read for the merge's sort keys. */
export type SortAccess = Record<string, (r: JsonObject) => unknown>;

/**
 * A block-storage resource that lives in one pod (docs/cinder-api.md, "Resources in the pods"):
 * how its URLs, bodies and routing rows are named, and how its lists are merged.
 */
export interface PodResourceKind {
  /** URL segment under the project: `snapshots`, `os-volume-transfer`, ... */
  collection: string;
  /** Key of one record in a body: `snapshot`. */
  member: string;
  /** Key of a list in a body: `snapshots`. */
  plural: string;
  /** `resource_type` of its routing rows; undefined for records that are not routed (messages). */
  routeType?: string;
  /** "<label> <id> could not be found." */
  label: string;
  minVersion?: string;
  sort: SortAccess;
  /** Default order when the client gives none. */
  defaultSort?: string;
  /** The record of a non-detailed list, from the detailed one the merge needs. */
  brief(r: JsonObject): JsonObject;
  /** What the pod's list path is, detailed. */
  detailPath: string;
  /** Whether the pod deletes at once (the route goes with a 2xx) or asynchronously (kept until the pod forgets it). */
  deletesAtOnce?: boolean;
}

const pick =
  (...keys: string[]) =>
  (r: JsonObject): JsonObject => {
    const out: JsonObject = {};
    for (const k of keys) if (k in r) out[k] = r[k];
    return out;
  };

const common: SortAccess = {
  id: (r) => r.id,
  name: (r) => r.name,
  status: (r) => r.status,
  created_at: (r) => r.created_at,
  updated_at: (r) => r.updated_at,
};

export const SNAPSHOTS: PodResourceKind = {
  collection: 'snapshots',
  member: 'snapshot',
  plural: 'snapshots',
  routeType: 'snapshot',
  label: 'Snapshot',
  sort: { ...common, size: (r) => r.size, volume_id: (r) => r.volume_id, display_name: (r) => r.name },
  // Cinder's snapshot index shows the same fields as detail except the extended attributes.
  brief: (r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('os-extended-snapshot-attributes:'))),
  detailPath: '/snapshots/detail',
};

export const BACKUPS: PodResourceKind = {
  collection: 'backups',
  member: 'backup',
  plural: 'backups',
  routeType: 'backup',
  label: 'Backup',
  sort: { ...common, size: (r) => r.size, volume_id: (r) => r.volume_id },
  brief: pick('id', 'links', 'name'),
  detailPath: '/backups/detail',
};

const transferKind = (collection: string, minVersion?: string): PodResourceKind => ({
  collection,
  member: 'transfer',
  plural: 'transfers',
  routeType: 'transfer',
  label: 'Transfer',
  minVersion,
  sort: { ...common, volume_id: (r) => r.volume_id },
  brief: pick('id', 'links', 'name', 'volume_id'),
  detailPath: `/${collection}/detail`,
  deletesAtOnce: true,
});

export const OLD_TRANSFERS = transferKind('os-volume-transfer');
export const TRANSFERS = transferKind('volume-transfers', '3.55');

export const ATTACHMENTS: PodResourceKind = {
  collection: 'attachments',
  member: 'attachment',
  plural: 'attachments',
  routeType: 'attachment',
  label: 'Volume attachment',
  minVersion: '3.27',
  sort: { ...common, volume_id: (r) => r.volume_id, instance: (r) => r.instance },
  brief: pick('id', 'status', 'instance', 'volume_id'),
  detailPath: '/attachments/detail',
  deletesAtOnce: true,
};

export const MESSAGES: PodResourceKind = {
  collection: 'messages',
  member: 'message',
  plural: 'messages',
  label: 'Message',
  minVersion: '3.3',
  sort: { ...common, event_id: (r) => r.event_id, resource_type: (r) => r.resource_type, message_level: (r) => r.message_level },
  brief: (r) => r,
  detailPath: '/messages',
  deletesAtOnce: true,
};
