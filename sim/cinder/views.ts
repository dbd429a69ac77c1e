// Wire shapes of the simulated Cinder's records, per microversion and caller role.
import { isoMicro } from '../nova/apiutil.js';
import type { CinderCtx, CinderLinks } from './context.js';
import type { Volume, VolumeType } from './model.js';
import type { CinderState } from './state.js';

export class CinderViews {
  constructor(
    private readonly state: CinderState,
    private readonly links: CinderLinks,
    /** Backend host string shown to admins (`os-vol-host-attr:host`). */
    readonly backendHost: string,
    readonly serviceUuid: string,
  ) {}

  volumeBrief(ctx: CinderCtx, v: Volume): Record<string, unknown> {
    return { id: v.id, links: this.links.pair(ctx, 'volumes', v.id), name: v.name };
  }

  attachments(v: Volume): Array<Record<string, unknown>> {
    return v.attachments.map((a) => ({
      server_id: a.serverId,
      attachment_id: a.id,
      attached_at: isoMicro(a.attachedAt),
      host_name: a.hostName,
      volume_id: v.id,
      device: a.device,
      id: v.id,
    }));
  }

  /** The detailed volume; `extended` adds the os-vol-* attributes (show and list, not create). */
  volume(ctx: CinderCtx, v: Volume, extended = true): Record<string, unknown> {
    const ver = ctx.version;
    const admin = ctx.caller.isAdmin;
    const type = this.state.types.get(v.volumeTypeId);
    const out: Record<string, unknown> = {
      attachments: this.attachments(v),
      availability_zone: v.availabilityZone,
      bootable: v.bootable ? 'true' : 'false',
      consistencygroup_id: null,
      created_at: isoMicro(v.createdAt),
      description: v.description,
      encrypted: false,
      id: v.id,
      links: this.links.pair(ctx, 'volumes', v.id),
      // Cinder adds the visible admin metadata (the readonly flag once set) to the volume's metadata.
      metadata: { ...v.metadata, ...(v.readonlyFlagSet ? { readonly: v.readonly ? 'True' : 'False' } : {}) },
      migration_status: v.migrationStatus,
      multiattach: v.multiattach,
      name: v.name,
      replication_status: null,
      size: v.size,
      snapshot_id: v.snapshotId,
      source_volid: v.sourceVolid,
      status: v.status,
      updated_at: v.updatedAt ? isoMicro(v.updatedAt) : null,
      user_id: v.userId,
      volume_type: type?.name ?? null,
    };
    if (extended) {
      out['os-vol-tenant-attr:tenant_id'] = v.projectId;
      if (admin) {
        out['os-vol-host-attr:host'] = v.status === 'creating' ? null : this.backendHost;
        out['os-vol-mig-status-attr:migstat'] = v.migrationStatus;
        out['os-vol-mig-status-attr:name_id'] = null;
      }
      if (v.imageMetadata) out.volume_image_metadata = { ...v.imageMetadata };
    }
    if (ver.ge('3.13')) out.group_id = v.groupId ?? null;
    if (ver.ge('3.21') && admin) out.provider_id = null;
    if (ver.ge('3.48')) {
      out.shared_targets = ver.ge('3.69') ? null : true;
      out.service_uuid = v.status === 'creating' ? null : this.serviceUuid;
    }
    if (ver.ge('3.61') && admin) out.cluster_name = null;
    if (ver.ge('3.63')) out.volume_type_id = v.volumeTypeId;
    if (ver.ge('3.65')) out.consumes_quota = true;
    return out;
  }

  /**
   * A type in each answer as Cinder shapes it: read views (show, list) carry the access extension's
   * `os-volume-type-access:is_public` and, for admins, `qos_specs_id`; create only the access key;
   * update neither; `GET /types/default` only `qos_specs_id`.
   */
  volumeType(ctx: CinderCtx, t: VolumeType, kind: 'read' | 'create' | 'update' | 'default' = 'read'): Record<string, unknown> {
    const out: Record<string, unknown> = { id: t.id, name: t.name, description: t.description, is_public: t.isPublic };
    if (kind === 'read' || kind === 'create') out['os-volume-type-access:is_public'] = t.isPublic;
    out.extra_specs = ctx.caller.isAdmin
      ? { ...t.extraSpecs }
      : Object.fromEntries(Object.entries(t.extraSpecs).filter(([k]) => ['multiattach', 'RESKEY:availability_zones', 'replication_enabled'].includes(k)));
    if (ctx.caller.isAdmin && (kind === 'read' || kind === 'default')) out.qos_specs_id = t.qosSpecsId ?? null;
    return out;
  }
}
