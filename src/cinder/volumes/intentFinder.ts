/**
 * How the reconciler finds, in a pod, the volume of a create whose gateway died between the pod's
 * 202 and the routing write (docs/routing.md, "Repairing stale intents").
 */
import { intentSearch, type FoundResource, type IntentFinder, type RoutingIntent } from '../../routing/index.js';
import type { CoreServices } from '../../services.js';
import { VOLUME } from './placement.js';

/** What a volume create's intent records (its `match`), written by the create flow. */
export interface VolumeIntentMatch {
  /** Null when the create gave none (a clone, or a volume from a snapshot or backup, takes its source's). */
  size: number | null;
  /** The pod's volume type id the create asked for, null for the pod's default. */
  typeId: string | null;
  sourceVolid: string | null;
  snapshotId: string | null;
  backupId: string | null;
}

export function volumeIntentMatch(m: VolumeIntentMatch): Record<string, unknown> {
  return { ...m };
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function readMatch(intent: RoutingIntent): VolumeIntentMatch {
  const m = intent.match;
  return {
    size: typeof m.size === 'number' ? m.size : null,
    typeId: text(m.typeId),
    sourceVolid: text(m.sourceVolid),
    snapshotId: text(m.snapshotId),
    backupId: text(m.backupId),
  };
}

/** The `volume` intent finder, for the composition root to hand to the reconciler. */
export function volumeIntentFinder(core: CoreServices): IntentFinder {
  return {
    async find(intent) {
      const pod = await core.pods.find(intent.podId);
      if (!pod) return [];
      const { requestId, since } = intentSearch(intent);
      const match = readMatch(intent);
      const query: Record<string, string> = { all_tenants: '1', project_id: intent.projectId };
      if (intent.name !== undefined) query.name = intent.name;
      // 3.63: the answer names the volume type by id, as the create sent it.
      const listed = await core.podClients.cinder(pod).listVolumes({ requestId }, query, { asAdmin: true, microversion: '3.63' });
      const found = listed
        .filter((v) => Date.parse(String(v.created_at ?? '')) >= since && v.status !== 'deleting')
        .filter((v) => (intent.name === undefined || v.name === intent.name) && (match.size === null || v.size === match.size))
        .filter((v) => match.typeId === null || v.volume_type_id === match.typeId)
        .filter((v) => text(v.source_volid) === match.sourceVolid && text(v.snapshot_id) === match.snapshotId)
        .sort((a, b) => Date.parse(String(a.created_at)) - Date.parse(String(b.created_at)) || a.id.localeCompare(b.id));
      const routed = (await core.routings.topIdsByBottom({ resourceTypes: [VOLUME], podIds: [pod.id], bottomIds: found.map((v) => v.id) })).get(pod.id);
      return found
        .filter((v) => !routed?.has(v.id))
        .slice(0, 1)
        .map((v): FoundResource => ({ topId: v.id, bottomId: v.id }));
    },
  };
}
