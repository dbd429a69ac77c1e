import { ApiError, badRequest, notFound, isJsonObject } from '../../common/index.js';
import type { CinderCall } from '../call.js';
import type { CinderDeps } from '../deps.js';
import type { VolumeQuotas } from '../quotas/admission.js';
import type { Relay } from '../relay.js';
import type { VolumeTypeService } from '../types/service.js';
import type { VolumeTypeSync } from '../types/sync.js';
import type { PlacedVolume } from './placement.js';
import { serverInVolumePod } from './servers.js';
import type { VolumeService } from './service.js';

type Json = Record<string, unknown>;

/**
 * Actions that one pod can do alone, forwarded to the volume's pod. `os-attach` to a server needs
 * the server in the same pod; `os-retype` gets the pod's copy of the new type.
 */
const FORWARDED = new Set([
  'os-extend',
  'os-reset_status',
  'os-set_image_metadata',
  'os-unset_image_metadata',
  'os-show_image_metadata',
  'os-force_detach',
  'os-attach',
  'os-detach',
  'os-update_readonly_flag',
  'os-retype',
  'os-set_bootable',
  'os-reserve',
  'os-unreserve',
  'os-begin_detaching',
  'os-roll_detaching',
  'os-initialize_connection',
  'os-terminate_connection',
  'os-force_delete',
  'os-volume_upload_image',
  'os-reimage',
  'os-unmanage',
]);

/** Cinder actions that need more than one pod or the pods' internals (hosts, snapshots the top does not route). */
const NOT_SUPPORTED = new Set(['os-migrate_volume', 'os-migrate_volume_completion', 'revert', 'os-extend_volume_completion']);

export class VolumeActions {
  constructor(
    private readonly deps: CinderDeps,
    private readonly volumes: VolumeService,
    private readonly types: VolumeTypeService,
    private readonly typeSync: VolumeTypeSync,
    private readonly quotas: Pick<VolumeQuotas, 'extend'>,
  ) {}

  async perform(call: CinderCall, id: string, body: unknown): Promise<Relay> {
    if (!isJsonObject(body)) throw badRequest('Malformed request body');
    const keys = Object.keys(body);
    const name = keys.find((k) => FORWARDED.has(k));
    if (!name) {
      const unsupported = keys.find((k) => NOT_SUPPORTED.has(k));
      if (unsupported) throw badRequest(`Volume action ${unsupported} is not supported through Tricircle: it needs a single pod's internals.`);
      throw badRequest(`There is no such action: ${keys[0] ?? ''}`);
    }
    const placed = await this.volumes.locate(call, id);
    const arg = body[name];
    let forwarded: Json = body;
    if (name === 'os-attach') forwarded = { [name]: await this.attachArgument(call, placed, arg) };
    if (name === 'os-retype') forwarded = { [name]: await this.retypeArgument(call, placed, arg) };
    // An extend counts the new size against the project's gigabytes before the pod is asked.
    const newSize = name === 'os-extend' && isJsonObject(arg) ? positiveInteger(arg.new_size) : undefined;
    const undo = newSize !== undefined ? await this.quotas.extend(placed.route.projectId, placed.id, newSize) : undefined;
    let answered: Awaited<ReturnType<VolumeService['forward']>>;
    try {
      answered = await this.volumes.forward(call, placed, { method: 'POST', subpath: '/action', body: forwarded });
    } catch (err) {
      await undo?.();
      throw err;
    }
    const { res, relay } = answered;
    if (undo && res.status >= 300) await undo();
    if (name === 'os-unmanage' && res.status < 300) await this.volumes.placement.forget(placed);
    return relay;
  }

  /** `instance_uuid` must name a server of the project in the volume's pod (its id in that pod is sent). */
  private async attachArgument(call: CinderCall, placed: PlacedVolume, arg: unknown): Promise<unknown> {
    if (!isJsonObject(arg)) return arg;
    const serverId = arg.instance_uuid;
    if (typeof serverId !== 'string') return arg;
    return { ...arg, instance_uuid: await serverInVolumePod(this.deps, call.ctx.projectId, serverId, placed) };
  }

  /** `new_type` names a top type; the pod receives its copy's id. */
  private async retypeArgument(call: CinderCall, placed: PlacedVolume, arg: unknown): Promise<unknown> {
    if (!isJsonObject(arg)) return arg;
    const ref = arg.new_type;
    if (typeof ref !== 'string' || ref === '') return arg;
    try {
      const type = await this.types.resolve(call.ctx, ref);
      return { ...arg, new_type: await this.typeSync.ensureInPod(call.ctx, type, placed.pod) };
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw notFound(`Volume type with name ${ref} could not be found.`);
      throw err;
    }
  }
}

/** A positive integer given as a number or decimal text (what Cinder accepts as new_size), else undefined. */
function positiveInteger(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
