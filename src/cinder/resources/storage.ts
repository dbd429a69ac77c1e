import type { JsonObject } from '../../bottom/index.js';
import { badRequest, forbidden, isJsonObject, notFound } from '../../common/index.js';
import { inTransaction } from '../../db/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import { parseJson, relayedHeaders, relayRaw, type Relay } from '../relay.js';
import type { VolumeQuotas } from '../quotas/admission.js';
import { VOLUME, type PlacedVolume, type VolumePlacement } from '../volumes/placement.js';
import { serverInVolumePod } from '../volumes/servers.js';
import { ATTACHMENTS, BACKUPS, MESSAGES, SNAPSHOTS, type PodResourceKind } from './kinds.js';
import type { AttachmentCreateBody, BackupImportBody, BackupRestoreBody } from './schemas.js';
import { PodResources } from './service.js';

const seg = (id: string) => encodeURIComponent(id);

/** The key naming the pod a backup record came from, put inside the pod's record on export. */
const POD_KEY = 'tricircle_pod';

/** A pod's backup_url read as Cinder writes it (base64 of a JSON object); undefined otherwise. */
function decodeRecord(url: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(url, 'base64').toString('utf8'));
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const encodeRecord = (rec: JsonObject) => Buffer.from(JSON.stringify(rec)).toString('base64');

/**
 * The pod-resident resources' own rules (docs/cinder-api.md): snapshots, backups, transfers and
 * attachments are made in their volume's pod and routed; a backup restores only into its pod; a
 * transfer's accept moves the routes to the new project; messages are found by asking the pods.
 */
export class StorageService {
  constructor(
    private readonly deps: CinderDeps,
    private readonly resources: PodResources,
    private readonly volumes: VolumePlacement,
    private readonly quotas: VolumeQuotas,
  ) {}

  private get pods() {
    return this.resources.pods;
  }

  /**
   * `POST /<collection>` of a record on a volume (`volume_id` or, for attachments, `volume_uuid`):
   * sent to the volume's pod with the caller's token; the new record is routed there.
   */
  async createOnVolume(call: CinderCall, kind: PodResourceKind, field = 'volume_id', adjust?: (placed: PlacedVolume, rec: JsonObject) => Promise<JsonObject>): Promise<Relay> {
    const body = call.body as Record<string, JsonObject>;
    let rec = { ...body[kind.member] };
    const placed = await this.volumes.locate(String(rec[field] ?? 'None'), PodResources.scope(call));
    rec[field] = placed.bottomId;
    if (adjust) rec = await adjust(placed, rec);
    const res = await this.pods.request(call, placed.pod, { method: 'POST', path: `/${kind.collection}`, body: { ...body, [kind.member]: rec } });
    const id = PodResources.createdId(res, kind.member);
    if (id !== undefined && kind.routeType) await this.resources.record(kind.routeType, id, placed.pod, call.ctx.projectId);
    return relayRaw(res, this.pods.links(call, res));
  }

  /** `POST /attachments` (3.27+): the server must be in the volume's pod, as for os-attach. */
  createAttachment(call: CinderCall<AttachmentCreateBody>): Promise<Relay> {
    return this.createOnVolume(call, ATTACHMENTS, 'volume_uuid', async (placed, rec) => {
      if (typeof rec.instance_uuid === 'string') rec.instance_uuid = await serverInVolumePod(this.deps, call.ctx.projectId, rec.instance_uuid, placed);
      return rec;
    });
  }

  /** Snapshot actions; `os-unmanage` drops the route once the pod lets the snapshot go. */
  async snapshotAction(call: CinderCall, id: string): Promise<Relay> {
    if (!isJsonObject(call.body)) throw badRequest('Malformed request body');
    const placed = await this.resources.locate(SNAPSHOTS, id, PodResources.scope(call));
    const { res, relay } = await this.resources.forward(call, SNAPSHOTS, placed, { method: 'POST', subpath: '/action', body: call.body });
    if ('os-unmanage' in call.body && res.status < 300) await this.resources.forget(placed);
    return relay;
  }

  /**
   * `POST /backups/{id}/restore`: into a volume of the backup's pod (400 otherwise), or into a new
   * volume the pod makes, whose route is then written in that pod.
   */
  async restore(call: CinderCall<BackupRestoreBody>, id: string): Promise<Relay> {
    const backup = await this.resources.locate(BACKUPS, id, PodResources.scope(call));
    const target = call.body.restore?.volume_id;
    if (typeof target === 'string') {
      const volume = await this.volumes.locate(target, PodResources.scope(call));
      if (volume.pod.id !== backup.pod.id) {
        throw badRequest(
          `Invalid input received: Backup ${id} is in availability zone ${backup.pod.azName} (pod ${backup.pod.regionName}) and volume ${target} in availability zone ` +
            `${volume.pod.azName} (pod ${volume.pod.regionName}): a backup restores only into a volume of its own pod; restore without volume_id to get a new volume there.`,
        );
      }
    }
    const { res, relay } = await this.resources.forward(call, BACKUPS, backup, { method: 'POST', subpath: '/restore', body: call.body });
    const made = res.status < 300 ? (parseJson(res.body) as { restore?: { volume_id?: unknown } } | undefined)?.restore?.volume_id : undefined;
    if (typeof made === 'string' && typeof target !== 'string') {
      // The pod made the volume: without its route it stays hidden, so say so loudly.
      await this.resources
        .record(VOLUME, made, backup.pod, call.ctx.projectId)
        .catch((err: unknown) => this.deps.core.logger.error({ err, volume: made }, 'restored volume could not be routed'));
    }
    return relay;
  }

  /** `GET /backups/{id}/export_record`: the pod's record (base64 JSON) with the pod's region added, so an import finds the pod. */
  async exportRecord(call: CinderCall, id: string): Promise<Relay> {
    const backup = await this.resources.locate(BACKUPS, id, PodResources.scope(call));
    const { res, relay } = await this.resources.forward(call, BACKUPS, backup, { method: 'GET', subpath: '/export_record' });
    const record =
      res.status === 200 ? (parseJson(res.body) as { 'backup-record'?: { backup_service?: unknown; backup_url?: unknown } } | undefined)?.['backup-record'] : undefined;
    const decoded = typeof record?.backup_url === 'string' ? decodeRecord(record.backup_url) : undefined;
    if (!decoded) return relay;
    // The pod's own record with its region added: clients (tempest) may decode and edit the record, and it still imports.
    return {
      status: 200,
      headers: relayedHeaders(res.headers),
      body: { 'backup-record': { backup_service: record?.backup_service, backup_url: encodeRecord({ ...decoded, [POD_KEY]: backup.pod.regionName }) } },
    };
  }

  /** `POST /backups/import_record` (admin): into the pod the record was exported from, then routed. */
  async importRecord(call: CinderCall<BackupImportBody>): Promise<Relay> {
    if (!call.ctx.isAdmin) throw forbidden("Policy doesn't allow backup:backup-import to be performed.");
    const record = call.body['backup-record'];
    const decoded = decodeRecord(record.backup_url);
    const region = decoded?.[POD_KEY];
    if (!decoded || typeof region !== 'string') {
      throw badRequest("Invalid input received: Can't parse backup record: it was not exported through Tricircle, so the pod to import it into is unknown.");
    }
    const pod = (await this.pods.bottomPods()).find((p) => p.regionName === region);
    if (!pod) throw badRequest(`Invalid input received: the backup record comes from pod ${region}, which Tricircle does not know.`);
    const { [POD_KEY]: _, ...own } = decoded;
    const res = await this.pods.request(call, pod, { method: 'POST', path: '/backups/import_record', body: { 'backup-record': { ...record, backup_url: encodeRecord(own) } } });
    const id = PodResources.createdId(res, 'backup');
    if (id !== undefined && (await this.resources.find('backup', id, call.ctx.projectId)) === undefined) await this.resources.record('backup', id, pod, call.ctx.projectId);
    return relayRaw(res, this.pods.links(call, res));
  }

  /**
   * `POST /<transfers>/{id}/accept` by another project: sent to the transfer's pod (the pod checks
   * the auth key); on success the volume's route, and those of the snapshots that went with it,
   * move to the new project and the transfer's route goes, in one transaction.
   */
  async accept(call: CinderCall, kind: PodResourceKind, id: string): Promise<Relay> {
    const transfer = await this.resources.find('transfer', id, undefined);
    if (!transfer) throw notFound(`Transfer ${id} could not be found.`);
    const res = await this.pods.request(call, transfer.pod, { method: 'POST', path: `/${kind.collection}/${seg(transfer.bottomId)}/accept`, body: call.body });
    const relay = relayRaw(res, this.pods.links(call, res));
    if (res.status >= 300) return relay;
    const volumeId = (parseJson(res.body) as { transfer?: { volume_id?: unknown } } | undefined)?.transfer?.volume_id;
    if (typeof volumeId !== 'string') return relay;
    const snapshotIds = await this.snapshotsOf(call, transfer.pod, volumeId);
    const newProject = call.ctx.projectId;
    await inTransaction(this.deps.core.db, async (trx) => {
      const routings = this.deps.core.routings.in(trx);
      for (const r of await routings.findByTop(volumeId, VOLUME)) if (r.podId === transfer.pod.id) await routings.update(r.id, { projectId: newProject });
      await this.quotas.transferred(volumeId, newProject, trx);
      for (const r of await routings.findByTops('snapshot', snapshotIds, { podId: transfer.pod.id })) await routings.update(r.id, { projectId: newProject });
      await routings.deleteIfExists(transfer.route.id);
    });
    this.deps.core.logger.info({ transfer: id, volume: volumeId, project: newProject, pod: transfer.pod.regionName }, 'volume transfer accepted; routes moved');
    return relay;
  }

  /** The snapshots of a volume in its pod, as its (new) owner sees them. */
  private async snapshotsOf(call: CinderCall, pod: Pod, volumeId: string): Promise<string[]> {
    const res = await this.pods.request(call, pod, { method: 'GET', path: '/snapshots', query: new URLSearchParams({ volume_id: volumeId }) }).catch(() => undefined);
    const list = res?.status === 200 ? (parseJson(res.body) as { snapshots?: { id?: unknown }[] } | undefined)?.snapshots : undefined;
    return (list ?? []).map((s) => s.id).filter((x): x is string => typeof x === 'string');
  }

  /** `GET`/`DELETE /messages/{id}`: messages are not routed; the healthy pods are asked until one knows it. */
  async message(call: CinderCall, id: string, method: 'GET' | 'DELETE'): Promise<Relay> {
    const pods = (await this.pods.bottomPods()).filter((p) => this.deps.core.podHealth.isHealthy(p));
    const answers = await Promise.all(
      pods.map((pod) => this.pods.request(call, pod, { method, path: `/${MESSAGES.collection}/${seg(id)}`, timeoutMs: this.deps.settings.listTimeoutMs }).catch(() => undefined)),
    );
    const found = answers.find((r) => r !== undefined && r.status !== 404);
    if (found) return relayRaw(found, this.pods.links(call, found));
    throw notFound(`Message ${id} could not be found.`);
  }
}
