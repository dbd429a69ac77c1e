import { PodUnreachableError, type JsonObject } from '../../bottom/index.js';
import { badRequest, notFound } from '../../common/index.js';
import { isTopPod, type Pod } from '../../pods/index.js';
import type { RoutingIntent } from '../../routing/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { CinderPods } from '../podCalls.js';
import { podOfSource } from '../resources/sources.js';
import { parseJson, relayedHeaders, relayRaw, type Relay } from '../relay.js';
import type { VolumeQuotas } from '../quotas/admission.js';
import type { VolumeTypeService } from '../types/service.js';
import type { VolumeTypeSync } from '../types/sync.js';
import { volumeIntentMatch } from './intentFinder.js';
import { VOLUME, type VolumePlacement } from './placement.js';
import { presentVolume } from './present.js';
import type { VolumeCreateBody } from './schemas.js';

/**
 * `POST /volumes`: validate as Cinder does, choose the pod (the source's pod for a clone, snapshot
 * or backup, else the project's binding in the AZ), forward every field with the pod's own AZ and
 * the pod's copy of the volume type, and record the route (same id top and bottom).
 *
 * Intent first (docs/routing.md): a routing intent is written before the pod call, so the scheduler
 * counts a volume on its way and a crash before the route is written leaves something the reconciler
 * settles (volumeIntentFinder); it becomes the volume's route when the pod answers, and is dropped
 * when the pod refuses.
 */
export class VolumeCreator {
  constructor(
    private readonly deps: CinderDeps,
    private readonly pods: CinderPods,
    private readonly placement: VolumePlacement,
    private readonly types: VolumeTypeService,
    private readonly typeSync: VolumeTypeSync,
    private readonly quotas: VolumeQuotas,
  ) {}

  async create(call: CinderCall<VolumeCreateBody>): Promise<Relay> {
    const request = call.body;
    const volume: JsonObject = { ...request.volume };
    const azName = typeof volume.availability_zone === 'string' && volume.availability_zone !== '' ? volume.availability_zone : undefined;
    const projectId = call.ctx.projectId;

    const pod = (await this.sourcePod(call, volume, azName)) ?? (await this.schedule(projectId, azName));
    if (volume.volume_type === undefined || volume.volume_type === null) volume.volume_type = await this.types.projectDefaultName(projectId);
    if (typeof volume.volume_type === 'string' && volume.volume_type !== '') {
      const type = await this.types.resolve(call.ctx, volume.volume_type);
      volume.volume_type = await this.typeSync.ensureInPod(call.ctx, type, pod);
    }
    if (pod.podAzName) volume.availability_zone = pod.podAzName;
    else delete volume.availability_zone;

    // Admission: volumes and gigabytes are claimed before the pod is asked, held by the volume made.
    // A create whose outcome is unknown (left to the intent repair) keeps its claim pending until it expires.
    const claimedGb = volume.size === undefined || volume.size === null ? 0 : Number(volume.size);
    const claim = await this.quotas.claimVolume(projectId, claimedGb);
    let made: { id: string; sizeGb: number; claimedGb: number } | undefined;
    let leftForRepair = false;
    try {
      const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
      const intent = await this.deps.core.routings.recordIntent({
        podId: pod.id,
        projectId,
        resourceType: VOLUME,
        requestId: call.ctx.requestId,
        ...(typeof volume.name === 'string' ? { name: volume.name } : {}),
        match: volumeIntentMatch({
          size: volume.size === undefined || volume.size === null || !Number.isFinite(Number(volume.size)) ? null : Number(volume.size),
          typeId: str(volume.volume_type),
          sourceVolid: str(volume.source_volid),
          snapshotId: str(volume.snapshot_id),
          backupId: str(volume.backup_id),
        }),
      });
      let res;
      try {
        res = await this.pods.request(call, pod, { method: 'POST', path: '/volumes', body: { ...request, volume } });
      } catch (err) {
        // Refused connection: the pod never saw the create. Otherwise it may have made the volume: the repair looks.
        if (err instanceof PodUnreachableError && err.reason === 'ECONNREFUSED') await this.drop(intent);
        else leftForRepair = true;
        throw err;
      }
      const links = this.pods.links(call, res);
      const answer = res.status < 300 ? (parseJson(links.bytes(res.body)) as { volume?: JsonObject } | undefined) : undefined;
      const id = answer?.volume?.id;
      if (typeof id !== 'string') {
        if (res.status >= 300) await this.drop(intent);
        else leftForRepair = true;
        return relayRaw(res, links);
      }
      await this.deps.core.routings.completeIntent(intent, [{ topId: id, bottomId: id }]);
      const size = Number(answer!.volume!.size);
      made = { id, sizeGb: Number.isFinite(size) ? size : claimedGb, claimedGb };
      const typeIds = (await this.typeSync.topIdsByPod([pod.id])).get(pod.id);
      presentVolume(answer!.volume!, pod, typeIds);
      return { status: 202, headers: relayedHeaders(res.headers), body: answer };
    } finally {
      if (!leftForRepair) await this.quotas.settle(projectId, claim, made);
    }
  }

  private async drop(intent: RoutingIntent): Promise<void> {
    await this.deps.core.routings
      .dropIntent(intent)
      .catch((err: unknown) => this.deps.core.logger.warn({ err, intent: intent.id }, 'could not drop the intent of a refused volume create'));
  }

  private async schedule(projectId: string, azName: string | undefined): Promise<Pod> {
    if (azName !== undefined && (await this.deps.core.pods.list({ azName })).length === 0) {
      throw badRequest(`Availability zone '${azName}' is invalid.`);
    }
    return this.deps.scheduler.schedule({ projectId, azName });
  }

  /** The pod a clone, or a volume from a snapshot or backup, must be made in; undefined when free to schedule. */
  private async sourcePod(call: CinderCall, volume: JsonObject, azName: string | undefined): Promise<Pod | undefined> {
    let pod: Pod | undefined;
    let what = '';
    if (typeof volume.source_volid === 'string') {
      const placed = await this.placement.locate(volume.source_volid, call.ctx.projectId);
      volume.source_volid = placed.bottomId;
      pod = placed.pod;
      what = 'source volume';
    } else if (typeof volume.snapshot_id === 'string') {
      pod =
        (await podOfSource(this.deps, 'snapshot', volume.snapshot_id, call.ctx.projectId)) ??
        (await this.findInPods(call, `/snapshots/${encodeURIComponent(volume.snapshot_id)}`, azName));
      if (!pod) throw notFound(`Snapshot ${volume.snapshot_id} could not be found.`);
      what = 'snapshot';
    } else if (typeof volume.backup_id === 'string') {
      pod =
        (await podOfSource(this.deps, 'backup', volume.backup_id, call.ctx.projectId)) ?? (await this.findInPods(call, `/backups/${encodeURIComponent(volume.backup_id)}`, azName));
      if (!pod) throw notFound(`Backup ${volume.backup_id} could not be found.`);
      what = 'backup';
    }
    if (typeof volume.group_id === 'string') {
      // A group and its volumes are in one pod.
      const groupPod = await podOfSource(this.deps, 'group', volume.group_id, call.ctx.projectId);
      if (!groupPod) throw notFound(`Group ${volume.group_id} could not be found.`);
      if (pod && pod.id !== groupPod.id)
        throw badRequest(`Invalid input received: The ${what} is in another pod than group ${volume.group_id}; a volume in a group is made in the group's pod.`);
      pod = groupPod;
      what = 'group';
    }
    if (pod && azName !== undefined && pod.azName !== azName) {
      throw badRequest(`Invalid input received: Volume must be in the same availability zone as the ${what}`);
    }
    return pod;
  }

  /** The healthy bottom pod (in the AZ, if given) where GET `path` answers 200 with the caller's token. */
  private async findInPods(call: CinderCall, path: string, azName: string | undefined): Promise<Pod | undefined> {
    const candidates = (await this.deps.core.pods.list(azName !== undefined ? { azName } : {})).filter((p) => !isTopPod(p) && this.deps.core.podHealth.isHealthy(p));
    const found = await Promise.all(
      candidates.map(async (pod) => {
        try {
          const res = await this.pods.request(call, pod, { method: 'GET', path, timeoutMs: this.deps.settings.listTimeoutMs });
          return res.status === 200 ? pod : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return found.find((p) => p !== undefined);
  }
}
