/**
 * Network segment ranges as the allocator reads them: the default ranges come from configuration
 * (`[tricircle] network_vlan_ranges`, `vni_ranges`) and are written to `network_segment_ranges` once per
 * process (replacing default rows that configuration no longer names); admins add shared or
 * per-project ranges through the API. A project's own ranges are tried before the shared ones.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { dbNow, type Db } from '../../db/index.js';
import type { NetworkSettings } from '../settings.js';
import type { Trx } from '../tx.js';

export interface UsableRange {
  physnet: string | null;
  min: number;
  max: number;
}

interface DefaultRange extends UsableRange {
  id: string;
  type: 'vlan' | 'vxlan';
}

/** A stable id per configured range, so that every process writes the same default rows. */
function defaultId(type: string, physnet: string | null, min: number, max: number): string {
  const h = createHash('sha1')
    .update(`tricircle-default-range:${type}:${physnet ?? ''}:${min}:${max}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function defaultRanges(settings: NetworkSettings): DefaultRange[] {
  const out: DefaultRange[] = [];
  if (settings.typeDrivers.includes('vlan')) {
    for (const [physnet, ranges] of settings.vlanRanges) for (const r of ranges) out.push({ id: defaultId('vlan', physnet, r.min, r.max), type: 'vlan', physnet, ...r });
  }
  if (settings.typeDrivers.includes('vxlan')) for (const r of settings.vniRanges) out.push({ id: defaultId('vxlan', null, r.min, r.max), type: 'vxlan', physnet: null, ...r });
  return out;
}

const synced = new WeakSet<Db>();

/**
 * Writes the configured default ranges unless this process has seen them in place. Inside a request's
 * transaction pass `trx` (SQLite has one connection: a query outside it would wait for it forever).
 */
export async function syncDefaultRanges(db: Db, settings: NetworkSettings, trx?: Trx): Promise<void> {
  if (synced.has(db)) return;
  const changed = await writeDefaults(db, trx ?? db.kysely, settings);
  // Outside a transaction the rows are committed now; inside one they are only once nothing had to change.
  if (!trx || !changed) synced.add(db);
}

/** Makes the default rows match configuration; returns whether anything had to change. */
async function writeDefaults(db: Db, k: Trx, settings: NetworkSettings): Promise<boolean> {
  const wanted = defaultRanges(settings);
  const existing = await k.selectFrom('network_segment_ranges').select('id').where('is_default', '=', 1).execute();
  const stale = existing.map((r) => r.id).filter((id) => !wanted.some((w) => w.id === id));
  if (stale.length) await k.deleteFrom('network_segment_ranges').where('id', 'in', stale).execute();
  const missing = wanted.filter((r) => !existing.some((e) => e.id === r.id));
  for (const r of missing) {
    const now = dbNow(db.dialect);
    const q = k.insertInto('network_segment_ranges').values({
      id: r.id,
      project_id: null,
      name: '',
      is_default: 1,
      shared: 1,
      network_type: r.type,
      physical_network: r.physnet,
      minimum: r.min,
      maximum: r.max,
      revision_number: 1,
      created_at: now,
      updated_at: now,
    });
    if (db.dialect === 'mysql') await q.ignore().execute();
    else await q.onConflict((oc) => oc.doNothing()).execute();
  }
  return stale.length > 0 || missing.length > 0;
}

/** The ranges a network of `projectId` may take a `type` segment from: its own first, then the shared ones. */
export async function segmentRanges(db: Db, trx: Trx, settings: NetworkSettings, type: string, projectId: string | undefined): Promise<UsableRange[]> {
  await syncDefaultRanges(db, settings, trx);
  const rows = await trx
    .selectFrom('network_segment_ranges')
    .select(['physical_network', 'minimum', 'maximum', 'shared', 'project_id', 'is_default'])
    .where('network_type', '=', type)
    .where((eb) => eb.or([eb('shared', '=', 1), eb('project_id', '=', projectId ?? '')]))
    .orderBy(sql`case when shared = 1 then 1 else 0 end`)
    .orderBy('is_default', 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  // Default VLAN ranges keep configuration order of physical networks.
  const order = [...settings.vlanRanges.keys()];
  const rank = (r: (typeof rows)[number]) => (Number(r.is_default) ? order.indexOf(r.physical_network ?? '') : order.length);
  const sorted = rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => Number(a.r.shared) - Number(b.r.shared) || rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
  return sorted.map((r) => ({ physnet: r.physical_network, min: Number(r.minimum), max: Number(r.maximum) }));
}
