import type { JsonObject } from '../../bottom/index.js';
import type { PodResourceKind, SortAccess } from '../resources/kinds.js';

const common: SortAccess = {
  id: (r) => r.id,
  name: (r) => r.name,
  status: (r) => r.status,
  created_at: (r) => r.created_at,
  updated_at: (r) => r.updated_at,
};

const pick =
  (...keys: string[]) =>
  (r: JsonObject): JsonObject =>
    Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]));

/** Generic volume groups (3.13+): each in one pod, routed as `group` (same id top and bottom). */
export const GROUPS: PodResourceKind = {
  collection: 'groups',
  member: 'group',
  plural: 'groups',
  routeType: 'group',
  label: 'Group',
  minVersion: '3.13',
  sort: { ...common, availability_zone: (r) => r.availability_zone, group_type: (r) => r.group_type },
  brief: pick('id', 'name'),
  detailPath: '/groups/detail',
};

/** Group snapshots (3.14+): in their group's pod, routed as `group_snapshot`. */
export const GROUP_SNAPSHOTS: PodResourceKind = {
  collection: 'group_snapshots',
  member: 'group_snapshot',
  plural: 'group_snapshots',
  routeType: 'group_snapshot',
  label: 'GroupSnapshot',
  minVersion: '3.14',
  sort: { ...common, group_id: (r) => r.group_id },
  brief: pick('id', 'name'),
  detailPath: '/group_snapshots/detail',
};
