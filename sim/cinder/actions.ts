// Volume actions (POST /volumes/{id}/action) of the simulated Cinder.
import { SimServiceError } from '../types.js';
import type { Schema } from '../nova/validate.js';
import { truthy, validateBody } from '../nova/validate.js';
import type { CinderCtx } from './context.js';
import { RESETTABLE_STATUSES, type Volume } from './model.js';
import {
  attachSchema,
  bootableSchema,
  connectorSchema,
  detachSchema,
  extendSchema,
  forceDetachSchema,
  readonlySchema,
  resetStatusSchema,
  retypeSchema,
  setImageMetadataSchema,
  unsetImageMetadataSchema,
} from './schemas.js';
import type { VolumeService } from './volumes.js';

export interface VolumeActionResult {
  status: number;
  body?: unknown;
}

interface VolumeActionDef {
  adminPolicy?: string;
  minVersion?: string;
  run(ctx: CinderCtx, v: Volume, arg: unknown): VolumeActionResult;
}

const ACCEPTED: VolumeActionResult = { status: 202 };

const uploadImageSchema: Schema = {
  type: 'object',
  properties: {
    image_name: { type: 'string', minLength: 1, maxLength: 255 },
    force: { type: ['boolean', 'string'] },
    disk_format: { type: 'string', enum: ['raw', 'vmdk', 'vdi', 'qcow2', 'vhd', 'vhdx', 'ploop'] },
    container_format: { type: 'string', enum: ['bare'] },
    visibility: { type: 'string', enum: ['community', 'public', 'private', 'shared'] },
    protected: { type: ['boolean', 'string'] },
  },
  required: ['image_name'],
  additionalProperties: false,
};

function invalid(message: string): SimServiceError {
  return new SimServiceError(400, `Invalid volume: ${message}`);
}

export class VolumeActions {
  private readonly defs: Record<string, VolumeActionDef>;

  constructor(private readonly volumes: VolumeService) {
    this.defs = this.build();
  }

  perform(ctx: CinderCtx, id: string, body: unknown): VolumeActionResult {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SimServiceError(400, 'Malformed request body');
    const keys = Object.keys(body);
    const name = keys.find((k) => Object.hasOwn(this.defs, k) && !(this.defs[k].minVersion && ctx.version.lt(this.defs[k].minVersion!)));
    if (!name) throw new SimServiceError(400, `There is no such action: ${keys[0] ?? ''}`);
    const def = this.defs[name];
    if (def.adminPolicy && !ctx.caller.isAdmin) {
      throw new SimServiceError(403, `Policy doesn't allow ${def.adminPolicy} to be performed.`);
    }
    const v = this.volumes.get(ctx, id);
    return def.run(ctx, v, (body as Record<string, unknown>)[name]);
  }

  private build(): Record<string, VolumeActionDef> {
    const svc = this.volumes;
    const validate = (schema: Schema, arg: unknown, name: string) => validateBody({ type: 'object', properties: { [name]: schema }, required: [name] }, { [name]: arg });
    const attachmentFor = (v: Volume, attachmentId: string | null | undefined) => {
      if (attachmentId) {
        const a = v.attachments.find((x) => x.id === attachmentId);
        if (!a) throw new SimServiceError(404, `Volume attachment could not be found with filter: attachment_id = ${attachmentId}.`);
        return a;
      }
      if (v.attachments.length > 1) {
        throw invalid('Volume has multiple attachments, an attachment_id is required to detach.');
      }
      return v.attachments[0];
    };
    return {
      'os-extend': {
        run: (ctx, v, arg) => {
          validate(extendSchema, arg, 'os-extend');
          const newSize = Number((arg as { new_size: unknown }).new_size);
          const allowed = ctx.version.ge('3.42') ? ['available', 'in-use'] : ['available'];
          if (!allowed.includes(v.status)) {
            throw invalid(`Volume ${v.id} status must be ${allowed.join(' or ')} to extend, but current status is: ${v.status}.`);
          }
          if (newSize <= v.size) {
            throw new SimServiceError(400, `Invalid input received: New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`);
          }
          svc.checkQuota(v.projectId, 0, newSize - v.size);
          const back = v.status;
          svc.transition(v, 'extending', (x) => {
            x.size = newSize;
            x.status = back;
          });
          return ACCEPTED;
        },
      },
      'os-reset_status': {
        adminPolicy: 'volume_extension:volume_admin_actions:reset_status',
        run: (_ctx, v, arg) => {
          validate(resetStatusSchema, arg, 'os-reset_status');
          const r = arg as { status?: string; attach_status?: 'attached' | 'detached'; migration_status?: string | null };
          if (r.status === undefined && r.attach_status === undefined && r.migration_status === undefined) {
            throw new SimServiceError(400, "Must specify 'status', 'attach_status' or 'migration_status' for update.");
          }
          if (r.status !== undefined) {
            if (!RESETTABLE_STATUSES.includes(r.status.toLowerCase())) throw new SimServiceError(400, `Invalid input received: Must specify a valid status`);
            v.status = r.status.toLowerCase();
          }
          if (r.attach_status !== undefined) {
            v.attachStatus = r.attach_status;
            if (r.attach_status === 'detached') v.attachments = [];
          }
          if (r.migration_status !== undefined) v.migrationStatus = r.migration_status === 'none' ? null : r.migration_status;
          svc.touch(v);
          return ACCEPTED;
        },
      },
      'os-attach': {
        run: (_ctx, v, arg) => {
          validate(attachSchema, arg, 'os-attach');
          const r = arg as { instance_uuid?: string; mountpoint: string; host_name?: string; mode?: 'rw' | 'ro' };
          if (!r.instance_uuid && !r.host_name) throw new SimServiceError(400, 'Invalid request to attach volume to an invalid target');
          if (r.mode === 'rw' && v.readonly) throw new SimServiceError(400, `Invalid input received: Invalid attaching mode 'rw' for volume ${v.id}.`);
          svc.addAttachment(v, r.instance_uuid ?? null, r.host_name ?? null, r.mountpoint, r.mode ?? (v.readonly ? 'ro' : 'rw'));
          return ACCEPTED;
        },
      },
      'os-detach': {
        run: (_ctx, v, arg) => {
          validate(detachSchema, arg, 'os-detach');
          if (v.status === 'maintenance') throw invalid('The volume cannot be detached in maintenance mode.');
          // Cinder's volume manager: a detach of a volume that is not attached leaves it available, no error.
          if (v.attachments.length === 0) {
            v.status = 'available';
            v.attachStatus = 'detached';
            return ACCEPTED;
          }
          const att = attachmentFor(v, (arg as { attachment_id?: string | null } | null)?.attachment_id);
          svc.removeAttachment(v, att);
          return ACCEPTED;
        },
      },
      'os-force_detach': {
        adminPolicy: 'volume_extension:volume_admin_actions:force_detach',
        run: (_ctx, v, arg) => {
          validate(forceDetachSchema, arg, 'os-force_detach');
          const id = (arg as { attachment_id?: string | null } | null)?.attachment_id;
          if (v.attachments.length === 0) {
            v.status = 'available';
            v.attachStatus = 'detached';
            svc.touch(v);
            return ACCEPTED;
          }
          if (id) svc.removeAttachment(v, attachmentFor(v, id));
          else for (const a of [...v.attachments]) svc.removeAttachment(v, a);
          return ACCEPTED;
        },
      },
      'os-begin_detaching': {
        run: (_ctx, v) => {
          if (v.status !== 'in-use' || v.attachStatus !== 'attached') {
            throw invalid("Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.");
          }
          v.status = 'detaching';
          svc.touch(v);
          return ACCEPTED;
        },
      },
      'os-roll_detaching': {
        run: (_ctx, v) => {
          if (v.status === 'detaching') {
            v.status = v.attachments.length > 0 ? 'in-use' : 'available';
            svc.touch(v);
          }
          return ACCEPTED;
        },
      },
      'os-reserve': {
        run: (_ctx, v) => {
          if (v.status !== 'available' && !(v.multiattach && v.status === 'in-use')) {
            throw invalid(`Volume status must be available to reserve, but the status is ${v.status}.`);
          }
          v.status = 'attaching';
          svc.touch(v);
          return ACCEPTED;
        },
      },
      'os-unreserve': {
        run: (_ctx, v) => {
          if (v.status === 'attaching') {
            v.status = v.attachments.length > 0 ? 'in-use' : 'available';
            svc.touch(v);
          }
          return ACCEPTED;
        },
      },
      'os-volume_upload_image': {
        run: (ctx, v, arg) => {
          validate(uploadImageSchema, arg, 'os-volume_upload_image');
          const a = arg as { image_name: string; force?: unknown; disk_format?: string; container_format?: string; visibility?: string; protected?: unknown };
          const force = a.force === true || String(a.force).toLowerCase() === 'true';
          if (!(v.status === 'available' || (force && v.status === 'in-use'))) {
            throw invalid(`Volume ${v.id} status must be available${force ? ' or in-use' : ''}, but current status is: ${v.status}.`);
          }
          const glance = svc.deps.glance?.();
          if (!glance) throw new SimServiceError(400, 'Invalid input received: no image service to upload to.');
          const diskFormat = a.disk_format ?? 'raw';
          const containerFormat = a.container_format ?? 'bare';
          const imageId = glance.createImage(ctx.caller.projectId, a.image_name, {
            disk_format: diskFormat,
            container_format: containerFormat,
            ...(a.visibility ? { visibility: a.visibility } : {}),
          });
          const previous = v.status;
          svc.transition(v, 'uploading', (x) => {
            x.status = previous;
          });
          const type = svc.state.types.get(v.volumeTypeId);
          return {
            status: 202,
            body: {
              'os-volume_upload_image': {
                id: v.id,
                updated_at: v.updatedAt ? v.updatedAt.toISOString() : null,
                status: 'uploading',
                display_description: v.description,
                size: v.size,
                volume_type: type ? { id: type.id, name: type.name, description: type.description, is_public: type.isPublic, extra_specs: { ...type.extraSpecs } } : null,
                image_id: imageId,
                container_format: containerFormat,
                disk_format: diskFormat,
                image_name: a.image_name,
              },
            },
          };
        },
      },
      'os-initialize_connection': {
        run: (_ctx, v, arg) => {
          validate(connectorSchema, arg, 'os-initialize_connection');
          return {
            status: 200,
            body: {
              connection_info: {
                driver_volume_type: 'iscsi',
                data: {
                  target_discovered: false,
                  target_iqn: `iqn.2010-10.org.openstack:volume-${v.id}`,
                  target_portal: '192.0.2.1:3260',
                  target_lun: 1,
                  volume_id: v.id,
                  auth_method: 'CHAP',
                  access_mode: v.readonly ? 'ro' : 'rw',
                  encrypted: false,
                },
              },
            },
          };
        },
      },
      'os-terminate_connection': {
        run: (_ctx, _v, arg) => {
          validate(connectorSchema, arg, 'os-terminate_connection');
          return ACCEPTED;
        },
      },
      'os-set_image_metadata': {
        run: (_ctx, v, arg) => {
          validate(setImageMetadataSchema, arg, 'os-set_image_metadata');
          v.imageMetadata = { ...(v.imageMetadata ?? {}), ...(arg as { metadata: Record<string, string> }).metadata };
          svc.touch(v);
          return { status: 200, body: { metadata: { ...v.imageMetadata } } };
        },
      },
      'os-unset_image_metadata': {
        run: (_ctx, v, arg) => {
          validate(unsetImageMetadataSchema, arg, 'os-unset_image_metadata');
          const key = (arg as { key: string }).key;
          if (!v.imageMetadata || !Object.hasOwn(v.imageMetadata, key)) {
            throw new SimServiceError(404, `Glance metadata for volume/snapshot ${v.id} cannot be found.`);
          }
          delete v.imageMetadata[key];
          svc.touch(v);
          return { status: 200 };
        },
      },
      'os-show_image_metadata': {
        run: (_ctx, v) => ({ status: 200, body: { metadata: { ...(v.imageMetadata ?? {}) } } }),
      },
      'os-update_readonly_flag': {
        run: (_ctx, v, arg) => {
          validate(readonlySchema, arg, 'os-update_readonly_flag');
          if (v.status !== 'available') throw invalid(`Volume ${v.id} status must be available to update readonly flag.`);
          v.readonly = truthy((arg as { readonly: unknown }).readonly);
          v.readonlyFlagSet = true;
          svc.touch(v);
          return ACCEPTED;
        },
      },
      'os-set_bootable': {
        run: (_ctx, v, arg) => {
          validate(bootableSchema, arg, 'os-set_bootable');
          v.bootable = truthy((arg as { bootable: unknown }).bootable);
          svc.touch(v);
          return { status: 200 };
        },
      },
      'os-retype': {
        run: (ctx, v, arg) => {
          validate(retypeSchema, arg, 'os-retype');
          if (v.status !== 'available' && v.status !== 'in-use') {
            throw invalid(`Volume ${v.id} status must be available or in-use, but current status is: ${v.status}.`);
          }
          const type = svc.state.typeByNameOrId((arg as { new_type: string }).new_type, ctx.caller);
          if (type.id === v.volumeTypeId) throw new SimServiceError(400, 'Invalid volume type: New volume type must be different from the current type.');
          const back = v.status;
          svc.transition(v, 'retyping', (x) => {
            x.volumeTypeId = type.id;
            x.status = back;
          });
          return ACCEPTED;
        },
      },
      'os-force_delete': {
        adminPolicy: 'volume_extension:volume_admin_actions:force_delete',
        run: (_ctx, v) => {
          svc.removeSoon(v);
          return ACCEPTED;
        },
      },
    };
  }
}
