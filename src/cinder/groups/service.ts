import type { JsonObject, RawResponse } from '../../bottom/index.js';
import { badRequest, notFound } from '../../common/index.js';
import type { Pod } from '../../pods/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { GroupTypeService } from '../grouptypes/index.js';
import { parseJson, relayedHeaders, relayRaw, type Relay } from '../relay.js';
import type { Listed, PodResourceLister } from '../resources/lister.js';
import { PodResources, type Placed } from '../resources/service.js';
import type { VolumeTypeService } from '../types/service.js';
import type { VolumeTypeSync } from '../types/sync.js';
import type { VolumePlacement } from '../volumes/placement.js';
import { GROUP_SNAPSHOTS, GROUPS } from './kinds.js';
import type { GroupCreateBody, GroupFromSourceBody, GroupSnapshotCreateBody, GroupUpdateBody } from './schemas.js';

const split = (list: string | null | undefined): string[] =>
  (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Generic volume groups and group snapshots (docs/cinder-api.md, "Groups"). A group lives in one
 * pod, chosen by its AZ as volumes are scheduled; its group type and volume types are copied there
 * first. Its snapshots, the volumes made in it and the groups made from it stay in that pod. Pod
 * ids of types in answers are shown as the top's ids.
 */
export class GroupService {
  constructor(
    private readonly deps: CinderDeps,
    private readonly resources: PodResources,
    private readonly lister: PodResourceLister,
    private readonly groupTypes: GroupTypeService,
    private readonly volumeTypes: VolumeTypeService,
    private readonly typeSync: VolumeTypeSync,
    private readonly volumes: VolumePlacement,
  ) {}

  private get pods() {
    return this.resources.pods;
  }

  /** Rewrites the pod ids of group types and volume types in group and group-snapshot records to the top's. */
  private async present(records: readonly Listed[]): Promise<void> {
    if (records.length === 0) return;
    const podIds = records.map((r) => r.pod.id);
    const [groupTypes, volumeTypes] = await Promise.all([this.groupTypes.sync.topIdsByPod(podIds), this.typeSync.topIdsByPod(podIds)]);
    for (const { rec, pod } of records) {
      const gt = groupTypes.get(pod.id);
      const vt = volumeTypes.get(pod.id);
      for (const key of ['group_type', 'group_type_id']) {
        if (typeof rec[key] === 'string') rec[key] = gt?.get(rec[key] as string) ?? rec[key];
      }
      if (Array.isArray(rec.volume_types)) rec.volume_types = rec.volume_types.map((id) => (typeof id === 'string' ? (vt?.get(id) ?? id) : id));
    }
  }

  /** A pod's answer with one record, its type ids shown as the top's; errors relayed as they are. */
  private async answer(call: CinderCall, res: RawResponse, member: string, pod: Pod): Promise<Relay> {
    const links = this.pods.links(call, res);
    if (res.status >= 300) return relayRaw(res, links);
    const body = parseJson(links.bytes(res.body)) as Record<string, JsonObject> | undefined;
    const rec = body?.[member];
    if (!rec) return relayRaw(res, links);
    await this.present([{ rec, pod }]);
    return { status: res.status, headers: relayedHeaders(res.headers), body };
  }

  list(call: CinderCall, snapshots: boolean, detail: boolean): Promise<Relay> {
    return this.lister.list(call, snapshots ? GROUP_SNAPSHOTS : GROUPS, detail, (records) => this.present(records));
  }

  async show(call: CinderCall, snapshots: boolean, id: string): Promise<Relay> {
    const kind = snapshots ? GROUP_SNAPSHOTS : GROUPS;
    const placed = await this.resources.locate(kind, id, PodResources.scope(call));
    const { res } = await this.resources.forward(call, kind, placed, { method: 'GET' });
    return this.answer(call, res, kind.member, placed.pod);
  }

  /** The pod a new group goes to: the project's pod in the AZ (any AZ when none is asked). */
  private async schedule(projectId: string, azName: string | undefined): Promise<Pod> {
    if (azName !== undefined && (await this.deps.core.pods.list({ azName })).length === 0) {
      throw badRequest(`Availability zone '${azName}' is invalid.`);
    }
    return this.deps.scheduler.schedule({ projectId, azName });
  }

  async create(call: CinderCall<GroupCreateBody>): Promise<Relay> {
    const req = { ...call.body.group } as JsonObject;
    const groupType = await this.groupTypes.resolve(call.ctx, call.body.group.group_type);
    const volumeTypes = await Promise.all(call.body.group.volume_types.map((ref) => this.volumeTypes.resolve(call.ctx, ref)));
    const az = call.body.group.availability_zone;
    const pod = await this.schedule(call.ctx.projectId, typeof az === 'string' && az !== '' ? az : undefined);
    req.group_type = await this.groupTypes.sync.ensureInPod(call.ctx, groupType, pod);
    req.volume_types = await Promise.all(volumeTypes.map((t) => this.typeSync.ensureInPod(call.ctx, t, pod)));
    if (pod.podAzName) req.availability_zone = pod.podAzName;
    else delete req.availability_zone;
    return this.createIn(call, pod, { group: req });
  }

  /** Posts a new group to its pod and routes it there (same id top and bottom). */
  private async createIn(call: CinderCall, pod: Pod, body: JsonObject, path = '/groups'): Promise<Relay> {
    const res = await this.pods.request(call, pod, { method: 'POST', path, body });
    const id = PodResources.createdId(res, GROUPS.member);
    if (id !== undefined) await this.resources.record(GROUPS.routeType!, id, pod, call.ctx.projectId);
    return this.answer(call, res, GROUPS.member, pod);
  }

  /** `create-from-src` (3.14+): in the pod of the source group or group snapshot. */
  async createFromSource(call: CinderCall<GroupFromSourceBody>): Promise<Relay> {
    const src = call.body['create-from-src'];
    const scope = PodResources.scope(call);
    let placed: Placed | undefined;
    if (typeof src.group_snapshot_id === 'string' && typeof src.source_group_id !== 'string') placed = await this.resources.locate(GROUP_SNAPSHOTS, src.group_snapshot_id, scope);
    else if (typeof src.source_group_id === 'string' && typeof src.group_snapshot_id !== 'string') placed = await this.resources.locate(GROUPS, src.source_group_id, scope);
    else throw badRequest('Invalid input received: Either group_snapshot_id or source_group_id must be provided, but not both.');
    return this.createIn(call, placed.pod, call.body as unknown as JsonObject, '/groups/action');
  }

  /** `PUT /groups/{id}`: volumes added must be in the group's pod (a group never spans pods). */
  async update(call: CinderCall<GroupUpdateBody>, id: string): Promise<Relay> {
    const placed = await this.resources.locate(GROUPS, id, PodResources.scope(call));
    for (const volumeId of split(call.body.group.add_volumes)) {
      const volume = await this.volumes.find(volumeId, PodResources.scope(call));
      if (!volume) throw badRequest(`Invalid volume: Volume ${volumeId} could not be found.`);
      if (volume.pod.id !== placed.pod.id) {
        throw badRequest(
          `Invalid volume: Volume ${volumeId} is in region ${volume.pod.regionName} but group ${id} is in region ${placed.pod.regionName}; a group and its volumes must be in one pod.`,
        );
      }
    }
    const { relay } = await this.resources.forward(call, GROUPS, placed, { method: 'PUT', body: call.body });
    return relay;
  }

  /** `POST /groups/{id}/action` (delete, reset_status, replication): the pod decides. */
  async action(call: CinderCall, id: string): Promise<Relay> {
    return this.resources.call(call, GROUPS, id, 'POST', '/action', call.body);
  }

  /** `POST /group_snapshots`: in the group's pod, routed there. */
  async createSnapshot(call: CinderCall<GroupSnapshotCreateBody>): Promise<Relay> {
    const groupId = call.body.group_snapshot.group_id;
    const placed = await this.resources.find(GROUPS.routeType!, groupId, PodResources.scope(call));
    if (!placed) throw notFound(`Group ${groupId} could not be found.`);
    const res = await this.pods.request(call, placed.pod, { method: 'POST', path: '/group_snapshots', body: call.body });
    const id = PodResources.createdId(res, GROUP_SNAPSHOTS.member);
    if (id !== undefined) await this.resources.record(GROUP_SNAPSHOTS.routeType!, id, placed.pod, call.ctx.projectId);
    return this.answer(call, res, GROUP_SNAPSHOTS.member, placed.pod);
  }

  snapshotCall(call: CinderCall, id: string, method: 'DELETE' | 'POST'): Promise<Relay> {
    return this.resources.call(call, GROUP_SNAPSHOTS, id, method, method === 'POST' ? '/action' : '', call.body);
  }
}
