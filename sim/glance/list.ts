import { SimServiceError } from '../types.js';
import type { ImageRecord, ImageStore, ImageViewer } from './images.js';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 1000;

const SORT_KEYS = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at', 'visibility', 'owner', 'min_disk', 'min_ram', 'virtual_size'];
const FILTERABLE = ['name', 'status', 'container_format', 'disk_format', 'id', 'owner'] as const;
const NOT_FILTERS = new Set(['limit', 'marker', 'sort_key', 'sort_dir', 'sort', 'visibility', 'member_status', 'tag', 'size_min', 'size_max', 'os_hidden', 'protected']);

export type Query = Record<string, string | string[] | undefined>;

function one(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function all(q: Query, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `value` or `in:a,b,c` against a string attribute. */
function matches(actual: unknown, wanted: string): boolean {
  const s = actual === null || actual === undefined ? '' : String(actual);
  if (wanted.startsWith('in:')) return wanted.slice(3).split(',').includes(s);
  return s === wanted;
}

function intParam(q: Query, key: string): number | undefined {
  const v = one(q, key);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new SimServiceError(400, `${key} param must be an integer`);
  return Number(v);
}

interface SortSpec {
  key: string;
  dir: 'asc' | 'desc';
}

function sortSpecs(q: Query): SortSpec[] {
  const sort = one(q, 'sort');
  const keys = all(q, 'sort_key');
  const dirs = all(q, 'sort_dir');
  let specs: SortSpec[];
  if (sort !== undefined) {
    if (keys.length || dirs.length) throw new SimServiceError(400, 'The "sort" parameter cannot be used with "sort_key" or "sort_dir".');
    specs = sort.split(',').map((part) => {
      const [key, dir = 'desc'] = part.trim().split(':');
      return { key, dir: dir as SortSpec['dir'] };
    });
  } else {
    specs = (keys.length ? keys : ['created_at']).map((key, i) => ({ key, dir: (dirs[i] ?? dirs[0] ?? 'desc') as SortSpec['dir'] }));
  }
  for (const s of specs) {
    if (!SORT_KEYS.includes(s.key)) throw new SimServiceError(400, `Invalid sort key: ${s.key}. It should be one of the following: ${SORT_KEYS.join(', ')}.`);
    if (s.dir !== 'asc' && s.dir !== 'desc') throw new SimServiceError(400, `Invalid sort direction: ${s.dir}`);
  }
  if (!specs.some((s) => s.key === 'id')) specs.push({ key: 'id', dir: specs[specs.length - 1].dir });
  return specs;
}

function compare(a: ImageRecord, b: ImageRecord, specs: SortSpec[]): number {
  for (const { key, dir } of specs) {
    const x = (a as unknown as Record<string, unknown>)[key];
    const y = (b as unknown as Record<string, unknown>)[key];
    const xv = x instanceof Date ? x.getTime() : x;
    const yv = y instanceof Date ? y.getTime() : y;
    let c = 0;
    if (xv === yv) c = 0;
    else if (xv === null || xv === undefined) c = -1;
    else if (yv === null || yv === undefined) c = 1;
    else c = xv < yv ? -1 : 1;
    if (c !== 0) return dir === 'asc' ? c : -c;
  }
  return 0;
}

/** GET /v2/images: filters, visibility rules, sort and marker/limit paging, as Glance v2 does them. */
export function listImages(store: ImageStore, viewer: ImageViewer, q: Query): { images: ImageRecord[]; nextMarker?: string } {
  const visibility = one(q, 'visibility');
  if (visibility !== undefined && !['public', 'private', 'shared', 'community', 'all'].includes(visibility)) {
    throw new SimServiceError(400, `Invalid visibility value: ${visibility}`);
  }
  const memberStatus = one(q, 'member_status') ?? 'accepted';
  if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus)) {
    throw new SimServiceError(400, `Invalid status value: ${memberStatus}`);
  }
  const limit = Math.min(intParam(q, 'limit') ?? DEFAULT_LIMIT, MAX_LIMIT);
  const sizeMin = intParam(q, 'size_min');
  const sizeMax = intParam(q, 'size_max');
  const hidden = one(q, 'os_hidden');
  const isProtected = one(q, 'protected');
  const tags = all(q, 'tag');
  const specs = sortSpecs(q);

  const listed = (i: ImageRecord): boolean => {
    if (visibility !== undefined && visibility !== 'all' && i.visibility !== visibility) return false;
    if (i.visibility === 'community') return visibility === 'community' || visibility === 'all' || i.owner === viewer.projectId || (viewer.isAdmin && visibility !== undefined);
    if (viewer.isAdmin) return true;
    if (i.owner === viewer.projectId || i.visibility === 'public') return true;
    if (i.visibility !== 'shared') return false;
    const m = store.member(i.id, viewer.projectId);
    return m !== undefined && (memberStatus === 'all' || m.status === memberStatus);
  };

  let images = [...store.images.values()].filter((i) => {
    if (!listed(i)) return false;
    for (const key of FILTERABLE) {
      const want = one(q, key);
      if (want !== undefined && !matches(i[key], want)) return false;
    }
    for (const [key, value] of Object.entries(q)) {
      if (NOT_FILTERS.has(key) || (FILTERABLE as readonly string[]).includes(key) || value === undefined) continue;
      const want = Array.isArray(value) ? value[value.length - 1] : value;
      if (!matches(i.extra[key], want)) return false;
    }
    if (sizeMin !== undefined && (i.size ?? -1) < sizeMin) return false;
    if (sizeMax !== undefined && (i.size === null || i.size > sizeMax)) return false;
    if (String(i.os_hidden) !== (hidden ?? 'false').toLowerCase()) return false;
    if (isProtected !== undefined && String(i.protected) !== isProtected.toLowerCase()) return false;
    return tags.every((t) => i.tags.includes(t));
  });
  images.sort((a, b) => compare(a, b, specs));

  const marker = one(q, 'marker');
  if (marker !== undefined) {
    // The marker's sort values locate the page start, so a marker outside the filter still works.
    const m = store.images.get(marker);
    if (!m || !store.canSee(m, viewer)) throw new SimServiceError(400, `Invalid marker. Image ${marker} could not be found.`);
    images = images.filter((i) => compare(i, m, specs) > 0);
  }
  images = images.slice(0, limit);
  return { images, ...(images.length > 0 && images.length === limit && { nextMarker: images[images.length - 1].id }) };
}
