// Server lifecycle of the simulated Nova: create (with ports and volumes), list, show, update,
// delete, and the shared helpers of the server actions (state checks, lock checks, action records).
import { randomBytes, randomUUID } from 'node:crypto';
import { SimServiceError, type SimPort } from '../types.js';
import { canonicalIpv6, makeComparator, pageOf, parseBool, parseIsoTime, qAll, qLast, randomPassword, type Query, type SortSpec, type TransitionTimers } from './apiutil.js';
import type { CinderExtras, NeutronExtras, NovaCtx, NovaSimDeps } from './context.js';
import { POWER, STATUS_FILTER, statusOf, type Flavor, type FlavorSnapshot, type InstanceAction, type Server, type ServerPort, type ServerVolume, type VmState } from './model.js';
import { serverCreateSchema, serverUpdateSchema } from './schemas.js';
import type { NovaState } from './state.js';
import { truthy, validateBody } from './validate.js';
import type { NovaViews } from './views.js';
import type { AdminResources } from './admin.js';

/** Nova's osapi_max_limit. */
export const MAX_LIMIT = 1000;

/** Query parameters GET /servers[/detail] knows; from 2.75 any other one is a 400. */
const LIST_PARAMS = new Set([
  'access_ip_v4',
  'access_ip_v6',
  'all_tenants',
  'auto_disk_config',
  'availability_zone',
  'changes-before',
  'changes-since',
  'config_drive',
  'created_at',
  'deleted',
  'description',
  'display_description',
  'display_name',
  'flavor',
  'host',
  'hostname',
  'image',
  'image_ref',
  'ip',
  'ip6',
  'kernel_id',
  'key_name',
  'launch_index',
  'launched_at',
  'limit',
  'locked',
  'locked_by',
  'marker',
  'name',
  'node',
  'not-tags',
  'not-tags-any',
  'power_state',
  'progress',
  'project_id',
  'ramdisk_id',
  'reservation_id',
  'root_device_name',
  'soft_deleted',
  'sort_dir',
  'sort_key',
  'status',
  'tags',
  'tags-any',
  'task_state',
  'tenant_id',
  'terminated_at',
  'updated_at',
  'user_id',
  'uuid',
  'vm_state',
]);

const SORT_KEYS = new Set([
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'availability_zone',
  'config_drive',
  'created_at',
  'display_description',
  'display_name',
  'host',
  'hostname',
  'image_ref',
  'instance_type_id',
  'kernel_id',
  'key_name',
  'launch_index',
  'launched_at',
  'locked',
  'locked_by',
  'node',
  'power_state',
  'progress',
  'project_id',
  'ramdisk_id',
  'root_device_name',
  'task_state',
  'terminated_at',
  'updated_at',
  'user_id',
  'uuid',
  'vm_state',
]);

function sortValue(s: Server, key: string): unknown {
  switch (key) {
    case 'access_ip_v4':
      return s.accessIPv4;
    case 'access_ip_v6':
      return s.accessIPv6;
    case 'auto_disk_config':
      return s.diskConfig === 'AUTO';
    case 'availability_zone':
      return s.availabilityZone;
    case 'config_drive':
      return s.configDrive ? 'True' : '';
    case 'created_at':
      return s.createdAt.getTime() * 1000 + (s.seq % 1000);
    case 'display_description':
      return s.description;
    case 'display_name':
      return s.name;
    case 'host':
      return s.host;
    case 'hostname':
      return s.hostname;
    case 'image_ref':
      return s.imageId;
    case 'instance_type_id':
      return s.flavor.seq;
    case 'key_name':
      return s.keyName;
    case 'launch_index':
      return s.launchIndex;
    case 'launched_at':
      return s.launchedAt;
    case 'locked':
      return s.locked;
    case 'locked_by':
      return s.lockedBy;
    case 'node':
      return s.node;
    case 'power_state':
      return s.powerState;
    case 'progress':
      return s.progress;
    case 'project_id':
      return s.projectId;
    case 'task_state':
      return s.taskState;
    case 'updated_at':
      return s.updatedAt;
    case 'user_id':
      return s.userId;
    case 'uuid':
      return s.id;
    case 'vm_state':
      return s.vmState;
    default:
      return '';
  }
}

export function snapshotOf(f: Flavor): FlavorSnapshot {
  return {
    id: f.id,
    seq: f.seq,
    name: f.name,
    vcpus: f.vcpus,
    ram: f.ram,
    disk: f.disk,
    ephemeral: f.ephemeral,
    swap: f.swap,
    extraSpecs: { ...f.extraSpecs },
  };
}

/** Last path segment of an id-or-URL reference (`flavorRef`, `imageRef`). */
export function refId(ref: unknown): string {
  const s = String(ref);
  const parts = s.split('/').filter((p) => p !== '');
  return parts.length > 0 ? parts[parts.length - 1] : s;
}

function hostnameFrom(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 63);
  return h || 'server';
}

interface NetworkRequest {
  networkId?: string;
  portId?: string;
  fixedIp?: string;
  tag: string | null;
}

interface VolumeRequest {
  volumeId: string;
  bootIndex: number | null;
  deviceName: string | null;
  deleteOnTermination: boolean;
  tag: string | null;
}

export interface CreateResult {
  servers: Server[];
  reservationId: string;
  returnReservationId: boolean;
}

export class ServerService {
  /** Compute hosts of the simulated pod (two, so that migrations have somewhere to go). */
  readonly hosts: string[];
  /** Server groups, migrations and usage records (set once the pod's services are wired). */
  admin?: AdminResources;

  constructor(
    readonly state: NovaState,
    readonly deps: NovaSimDeps,
    readonly views: NovaViews,
    readonly timers: TransitionTimers,
  ) {
    const base = deps.region.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
    this.hosts = [`${base}-compute-1`, `${base}-compute-2`];
  }

  // ------------------------------------------------------------------------------------------
  // Shared helpers of routes and actions

  get(ctx: NovaCtx, id: string): Server {
    return this.state.serverFor(id, ctx.caller);
  }

  /** 409 "Cannot '<action>' instance <id> while it is in vm_state <state>" (or task_state). */
  checkState(server: Server, action: string, vmStates: VmState[] | null, taskStates: Array<string | null> | null = [null]): void {
    if (vmStates && !vmStates.includes(server.vmState)) {
      throw new SimServiceError(409, `Cannot '${action}' instance ${server.id} while it is in vm_state ${server.vmState}`);
    }
    if (taskStates && !taskStates.includes(server.taskState)) {
      throw new SimServiceError(409, `Cannot '${action}' instance ${server.id} while it is in task_state ${server.taskState}`);
    }
  }

  /** 409 "Instance <id> is locked" for a locked server unless the caller is admin. */
  checkLock(ctx: NovaCtx, server: Server): void {
    if (server.locked && !ctx.caller.isAdmin) throw new SimServiceError(409, `Instance ${server.id} is locked`);
  }

  /** Records an instance action (with its one compute event) and returns it, still running. */
  startAction(ctx: NovaCtx, server: Server, action: string, event: string): InstanceAction {
    const now = new Date();
    const a: InstanceAction = {
      action,
      requestId: ctx.requestId,
      userId: ctx.caller.userId,
      projectId: ctx.caller.projectId,
      startTime: now,
      updatedAt: now,
      message: null,
      events: [{ event, startTime: now, finishTime: null, result: null }],
    };
    server.actions.push(a);
    return a;
  }

  finishAction(a: InstanceAction, result: 'Success' | 'Error' = 'Success'): void {
    const now = new Date();
    a.updatedAt = now;
    for (const e of a.events) {
      if (!e.finishTime) {
        e.finishTime = now;
        e.result = result;
      }
    }
    if (result === 'Error') a.message = 'Error';
  }

  /** Sets a task state now and finishes the transition after the build delay. */
  transition(server: Server, task: string, done: (s: Server) => void, action?: InstanceAction, factor = 1): void {
    server.taskState = task;
    server.updatedAt = new Date();
    this.timers.later(() => {
      if (this.state.servers.get(server.id) !== server || server.taskState !== task) return;
      server.taskState = null;
      done(server);
      server.updatedAt = new Date();
      if (action) this.finishAction(action);
    }, factor);
  }

  touch(server: Server): void {
    server.updatedAt = new Date();
  }

  flavorForRequest(ctx: NovaCtx, ref: unknown, message: string): Flavor {
    const f = this.state.flavors.get(refId(ref));
    if (!f || f.disabled || !this.state.flavorVisible(f, ctx.caller)) throw new SimServiceError(400, message);
    return f;
  }

  /** Checks an image for boot/rebuild: exists and is active. */
  checkImage(imageId: string, flavor?: FlavorSnapshot): Record<string, unknown> {
    const image = this.deps.glance.getImage(imageId);
    if (!image) throw new SimServiceError(400, 'Can not find requested image');
    if (image.status !== undefined && image.status !== 'active') throw new SimServiceError(400, `Image ${imageId} is not active.`);
    if (flavor) {
      const minRam = Number(image.min_ram ?? 0);
      const minDisk = Number(image.min_disk ?? 0);
      if (minRam > flavor.ram) throw new SimServiceError(400, "Flavor's memory is too small for requested image.");
      if (flavor.disk > 0 && minDisk > flavor.disk) throw new SimServiceError(400, "Flavor's disk is too small for requested image.");
    }
    return image;
  }

  /** 403 when a project would exceed its instances/cores/ram quota; returns how many fit. */
  fitQuota(projectId: string, flavor: FlavorSnapshot, minCount: number, maxCount: number, deltaOnly = false): number {
    const limits = this.state.quotaLimits(projectId);
    const used = this.state.usage(projectId);
    const per = { instances: deltaOnly ? 0 : 1, cores: flavor.vcpus, ram: flavor.ram };
    let fit = maxCount;
    for (const res of ['instances', 'cores', 'ram'] as const) {
      const limit = limits[res];
      if (limit < 0 || per[res] === 0) continue;
      fit = Math.min(fit, Math.floor((limit - used[res]) / per[res]));
    }
    if (fit >= minCount) return fit;
    for (const res of ['instances', 'cores', 'ram'] as const) {
      const limit = limits[res];
      if (limit < 0 || per[res] === 0) continue;
      if (used[res] + per[res] * minCount > limit) {
        throw new SimServiceError(403, `Quota exceeded for ${res}: Requested ${per[res] * minCount}, but already used ${used[res]} of ${limit} ${res}`);
      }
    }
    return fit;
  }

  checkMetadataQuota(projectId: string, metadata: Record<string, string>): void {
    const limit = this.state.quotaLimits(projectId).metadata_items;
    const n = Object.keys(metadata).length;
    if (limit >= 0 && n > limit) {
      throw new SimServiceError(403, `Quota exceeded for metadata_items: Requested ${n}, but already used 0 of ${limit} metadata_items`);
    }
  }

  private pickHost(allowed: string[] = this.hosts): string {
    const counts = new Map(allowed.map((h) => [h, 0]));
    for (const s of this.state.servers.values()) if (s.host && counts.has(s.host)) counts.set(s.host, counts.get(s.host)! + 1);
    return [...counts.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0][0];
  }

  otherHost(host: string | null): string {
    return this.hosts.find((h) => h !== host) ?? this.hosts[0];
  }

  // ------------------------------------------------------------------------------------------
  // Ports and volumes

  /** A security group of the server's project as Nova finds it in Neutron for the security group actions. */
  securityGroupFor(server: Server, nameOrId: string): { id: string; name: string } {
    const find = this.deps.neutron.findSecurityGroup;
    if (!find) return { id: nameOrId, name: nameOrId };
    const found = find.call(this.deps.neutron, server.projectId, nameOrId);
    if (found === 'ambiguous') throw new SimServiceError(409, `Multiple security_group matches found for name '${nameOrId}', use an ID to be more specific.`);
    if (!found) throw new SimServiceError(404, `Security group ${nameOrId} is not found for project ${server.projectId}`);
    return found;
  }

  /** Whether one of the server's ports is in the group. */
  portsInGroup(server: Server, groupId: string): boolean {
    if (!this.deps.neutron.findSecurityGroup) return false;
    return this.deps.neutron.listPorts({ device_id: server.id }).some((p) => ((p as { security_groups?: string[] }).security_groups ?? []).includes(groupId));
  }

  /** Adds the group to (or removes it from) every port of the server. */
  setPortGroups(server: Server, groupId: string, member: boolean): void {
    // A Neutron without security groups (a test double) has nothing to update.
    if (!this.deps.neutron.findSecurityGroup) return;
    for (const port of this.deps.neutron.listPorts({ device_id: server.id })) {
      const current = (port as { security_groups?: string[] }).security_groups ?? [];
      const next = member ? [...new Set([...current, groupId])] : current.filter((g) => g !== groupId);
      if (next.length !== current.length) this.deps.neutron.updatePort(port.id, { security_groups: next });
    }
  }

  /** Binds an existing unbound port to a server. */
  bindPort(server: Server, portId: string): SimPort {
    return this.deps.neutron.updatePort(portId, {
      device_id: server.id,
      device_owner: `compute:${server.availabilityZone}`,
      'binding:host_id': server.host ?? '',
    });
  }

  /** Creates a port on a network for a server. */
  createPort(server: Server, networkId: string, fixedIp?: string): SimPort {
    const body: Record<string, unknown> = {
      network_id: networkId,
      device_id: server.id,
      device_owner: `compute:${server.availabilityZone}`,
      'binding:host_id': server.host ?? '',
      admin_state_up: true,
    };
    if (fixedIp) body.fixed_ips = [{ ip_address: fixedIp }];
    try {
      return this.deps.neutron.createPort(server.projectId, body);
    } catch (e) {
      if (e instanceof SimServiceError && e.status === 404) throw new SimServiceError(400, `Network ${networkId} could not be found.`);
      if (e instanceof SimServiceError && e.status === 409 && fixedIp) {
        throw new SimServiceError(400, `Fixed IP address ${fixedIp} is already in use on instance ${server.id}.`);
      }
      throw e;
    }
  }

  /** Deletes the ports Nova created for a server and unbinds the ones it was given. */
  releasePort(ref: ServerPort): void {
    try {
      if (ref.createdByNova) this.deps.neutron.deletePort(ref.portId);
      else this.deps.neutron.updatePort(ref.portId, { device_id: '', device_owner: '', 'binding:host_id': '' });
    } catch (e) {
      if (!(e instanceof SimServiceError && e.status === 404)) throw e;
    }
  }

  /** Re-binds a server's ports to its current host ('' when offloaded), as a move or shelve does. */
  setPortsHost(server: Server): void {
    for (const p of this.views.portsOf(server)) {
      try {
        this.deps.neutron.updatePort(p.id, { 'binding:host_id': server.host ?? '' });
      } catch {
        // a port removed meanwhile is not the server's concern
      }
    }
  }

  /** Next free `/dev/vdX` of a server (vda is the root disk). */
  nextDevice(server: Server): string {
    const used = new Set(server.volumes.map((v) => v.device));
    for (let c = 'b'.charCodeAt(0); c <= 'z'.charCodeAt(0); c++) {
      const d = `/dev/vd${String.fromCharCode(c)}`;
      if (!used.has(d)) return d;
    }
    throw new SimServiceError(400, 'No free disk device names for prefix vd');
  }

  /** The volume as the caller may see it; 404 "Volume X could not be found." */
  volumeFor(ctx: NovaCtx, volumeId: string): Record<string, unknown> {
    const vol = this.deps.cinder.getVolume(volumeId);
    const owner = vol?.['os-vol-tenant-attr:tenant_id'] ?? vol?.project_id;
    if (!vol || (!ctx.caller.isAdmin && owner !== undefined && owner !== ctx.caller.projectId)) {
      throw new SimServiceError(404, `Volume ${volumeId} could not be found.`);
    }
    return vol;
  }

  attachVolume(server: Server, volumeId: string, device: string, opts: Partial<ServerVolume> = {}): ServerVolume {
    const { attachmentId } = this.deps.cinder.attach(volumeId, server.id, device, server.host ?? '');
    const att: ServerVolume = {
      volumeId,
      device,
      attachmentId,
      bdmId: randomUUID(),
      deleteOnTermination: opts.deleteOnTermination ?? false,
      tag: opts.tag ?? null,
      bootIndex: opts.bootIndex ?? null,
    };
    server.volumes.push(att);
    return att;
  }

  detachVolume(server: Server, att: ServerVolume, deleteVolume = false): void {
    try {
      this.deps.cinder.detach(att.volumeId, server.id);
      if (deleteVolume) (this.deps.cinder as CinderExtras).deleteVolume?.(att.volumeId);
    } catch (e) {
      if (!(e instanceof SimServiceError && e.status === 404)) throw e;
    }
    server.volumes = server.volumes.filter((v) => v !== att);
  }

  // ------------------------------------------------------------------------------------------
  // Create

  create(ctx: NovaCtx, body: unknown): CreateResult {
    const v = ctx.version;
    validateBody(serverCreateSchema(v), body);
    const req = (body as { server: Record<string, unknown> }).server;
    const caller = ctx.caller;

    if (req.availability_zone !== undefined) {
      const az = String(req.availability_zone).split(':')[0];
      if (az !== '' && az !== this.deps.az) throw new SimServiceError(400, 'The requested availability zone is not available');
    }
    const flavor = snapshotOf(this.flavorForRequest(ctx, req.flavorRef, 'Invalid flavorRef provided.'));

    const minCount = req.min_count !== undefined ? Number(req.min_count) : 1;
    const maxCount = req.max_count !== undefined ? Number(req.max_count) : minCount;
    if (minCount > maxCount) throw new SimServiceError(400, 'min_count must be <= max_count');

    const volumes = this.parseBlockDevices(ctx, req, maxCount);
    const bootVolume = volumes.find((b) => b.bootIndex === 0);
    const imageId = typeof req.imageRef === 'string' && req.imageRef !== '' ? refId(req.imageRef) : '';
    const bdmImage = this.bootImageFromBdm(req);
    if (imageId) this.checkImage(imageId, flavor);
    else if (bdmImage) {
      this.checkImage(bdmImage);
    } else if (!bootVolume) {
      throw new SimServiceError(400, 'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.');
    }

    let keyName: string | null = null;
    let keyData: string | null = null;
    if (typeof req.key_name === 'string') {
      const kp = this.state.keypairs.get(caller.userId)?.get(req.key_name);
      if (!kp) throw new SimServiceError(400, 'Invalid key_name provided.');
      keyName = kp.name;
      keyData = kp.publicKey;
    }

    let networks = this.parseNetworks(ctx, req, maxCount);
    if (networks === 'auto') networks = this.pickNetworks(ctx, req.networks === 'auto');
    const metadata = (req.metadata as Record<string, string> | undefined) ?? {};
    this.checkMetadataQuota(caller.projectId, metadata);
    const count = this.fitQuota(caller.projectId, flavor, minCount, maxCount);
    const group = this.admin?.groupForBoot(ctx, req, count);

    const reservationId = `r-${randomBytes(6)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')
      .slice(0, 8)}`;
    const securityGroups = Array.isArray(req.security_groups)
      ? [...new Set((req.security_groups as Array<{ name?: string }>).map((g) => String(g.name ?? 'default')))]
      : ['default'];
    const name = String(req.name);
    const now = new Date();
    const created: Server[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const seq = this.state.nextServerSeq();
        const displayName = count > 1 ? `${name}-${i + 1}` : name;
        const server: Server = {
          id: randomUUID(),
          name: displayName,
          projectId: caller.projectId,
          userId: caller.userId,
          createdAt: now,
          updatedAt: now,
          launchedAt: null,
          vmState: 'building',
          taskState: 'scheduling',
          powerState: POWER.NOSTATE,
          flavor,
          oldFlavor: null,
          previousVmState: null,
          imageId: bootVolume || (!imageId && bdmImage) ? '' : imageId,
          keyName,
          keyData,
          userData: typeof req.user_data === 'string' ? req.user_data : null,
          metadata: { ...metadata },
          accessIPv4: typeof req.accessIPv4 === 'string' ? req.accessIPv4 : '',
          accessIPv6: typeof req.accessIPv6 === 'string' ? canonicalIpv6(req.accessIPv6) : '',
          description: typeof req.description === 'string' ? req.description : null,
          tags: Array.isArray(req.tags) ? [...new Set(req.tags as string[])] : [],
          locked: false,
          lockedBy: null,
          lockedReason: null,
          diskConfig: req['OS-DCF:diskConfig'] === 'AUTO' ? 'AUTO' : 'MANUAL',
          configDrive: req.config_drive !== undefined && truthy(req.config_drive),
          securityGroups: networks === 'none' ? [] : securityGroups,
          availabilityZone: this.deps.az,
          host: this.pickHost(),
          node: null,
          instanceName: `instance-${seq.toString(16).padStart(8, '0')}`,
          hostname: typeof req.hostname === 'string' ? req.hostname : hostnameFrom(count > 1 ? `${name}-${i + 1}` : name),
          reservationId,
          launchIndex: i,
          adminPass: typeof req.adminPass === 'string' ? req.adminPass : randomPassword(),
          ports: [],
          volumes: [],
          actions: [],
          progress: 0,
          trustedCerts: Array.isArray(req.trusted_image_certificates) ? (req.trusted_image_certificates as string[]) : null,
          seq,
        };
        if (group) {
          // The group's host-level policy; a hard one that cannot be met leaves the server in ERROR.
          const host = this.admin!.hostForMember(group, (allowed) => this.pickHost(allowed));
          server.host = host ?? null;
          group.members.push(server.id);
        }
        server.node = server.host;
        this.state.servers.set(server.id, server);
        created.push(server);
        if (Array.isArray(networks)) {
          for (const n of networks) {
            if (n.portId) {
              this.bindPort(server, n.portId);
              server.ports.push({ portId: n.portId, createdByNova: false, tag: n.tag });
            } else if (n.networkId) {
              const port = this.createPort(server, n.networkId, n.fixedIp);
              server.ports.push({ portId: port.id, createdByNova: true, tag: n.tag });
            }
          }
        }
        for (const vr of volumes) {
          const device = vr.deviceName ?? (vr.bootIndex === 0 ? '/dev/vda' : this.nextDevice(server));
          try {
            this.attachVolume(server, vr.volumeId, device, vr);
          } catch (e) {
            if (e instanceof SimServiceError && e.status !== 404)
              throw new SimServiceError(400, e.message.startsWith('Invalid volume') ? e.message : `Invalid volume: ${e.message}`);
            throw e;
          }
        }
      }
    } catch (e) {
      for (const s of created) this.teardown(s);
      throw e;
    }
    for (const server of created) {
      const action = this.startAction(ctx, server, 'create', 'compute__do_build_and_run_instance');
      const placed = server.host !== null;
      this.transition(
        server,
        'spawning',
        (s) => {
          if (!placed) {
            // No valid host was found (a hard group policy that the pod's hosts cannot meet).
            s.vmState = 'error';
            return;
          }
          s.vmState = 'active';
          s.powerState = POWER.RUNNING;
          s.launchedAt = new Date();
        },
        action,
      );
    }
    return { servers: created, reservationId, returnReservationId: req.return_reservation_id !== undefined && truthy(req.return_reservation_id) };
  }

  private bootImageFromBdm(req: Record<string, unknown>): string | undefined {
    const bdms = Array.isArray(req.block_device_mapping_v2) ? (req.block_device_mapping_v2 as Array<Record<string, unknown>>) : [];
    const boot = bdms.find((b) => String(b.boot_index ?? '') === '0' && b.source_type === 'image');
    return boot ? String(boot.uuid ?? boot.image_id ?? '') || undefined : undefined;
  }

  private parseBlockDevices(ctx: NovaCtx, req: Record<string, unknown>, maxCount: number): VolumeRequest[] {
    const out: VolumeRequest[] = [];
    const bdms = Array.isArray(req.block_device_mapping_v2) ? (req.block_device_mapping_v2 as Array<Record<string, unknown>>) : [];
    const bootIndexes = bdms.map((b) => (b.boot_index === undefined || b.boot_index === null ? null : Number(b.boot_index)));
    const booting = bootIndexes.filter((b): b is number => b !== null && b >= 0).sort((a, b) => a - b);
    if (booting.some((b, i) => b !== i)) {
      throw new SimServiceError(400, 'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.');
    }
    bdms.forEach((b, i) => {
      const source = b.source_type ?? 'volume';
      const destination = b.destination_type ?? (source === 'volume' ? 'volume' : 'local');
      if (source !== 'volume' || destination !== 'volume') return;
      const volumeId = String(b.uuid ?? b.volume_id ?? '');
      if (!volumeId) throw new SimServiceError(400, 'Block Device Mapping is Invalid: missing volume id.');
      if (maxCount > 1) {
        throw new SimServiceError(400, 'Multiple instances cannot be booted with the same volume attached.');
      }
      let volume: Record<string, unknown>;
      try {
        volume = this.volumeFor(ctx, volumeId);
      } catch {
        throw new SimServiceError(400, `Block Device Mapping is Invalid: failed to get volume ${volumeId}.`);
      }
      // As Nova: the boot disk must be a volume Cinder flags bootable.
      if (bootIndexes[i] === 0 && String(volume.bootable) === 'false') throw new SimServiceError(400, `Block Device ${volumeId} is not bootable.`);
      out.push({
        volumeId,
        bootIndex: bootIndexes[i],
        deviceName: typeof b.device_name === 'string' ? b.device_name : null,
        deleteOnTermination: b.delete_on_termination !== undefined && truthy(b.delete_on_termination),
        tag: typeof b.tag === 'string' ? b.tag : null,
      });
    });
    return out;
  }

  private parseNetworks(ctx: NovaCtx, req: Record<string, unknown>, maxCount: number): NetworkRequest[] | 'none' | 'auto' {
    const admin = ctx.caller.isAdmin;
    const projectId = ctx.caller.projectId;
    const nets = req.networks;
    if (nets === 'none' || nets === 'auto') return nets;
    if (!Array.isArray(nets)) return 'auto';
    const out: NetworkRequest[] = [];
    const seenPorts = new Set<string>();
    for (const n of nets as Array<Record<string, unknown>>) {
      const tag = typeof n.tag === 'string' ? n.tag : null;
      if (typeof n.port === 'string' && n.port !== '') {
        if (maxCount > 1) {
          throw new SimServiceError(400, 'Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.');
        }
        if (seenPorts.has(n.port)) throw new SimServiceError(400, `Port ${n.port} is still in use.`);
        seenPorts.add(n.port);
        const port = this.deps.neutron.getPort(n.port);
        if (!port) throw new SimServiceError(400, `Port id ${n.port} could not be found.`);
        if (port.device_id) throw new SimServiceError(409, `Port ${n.port} is still in use.`);
        out.push({ portId: n.port, tag });
        continue;
      }
      if (typeof n.uuid !== 'string' || n.uuid === '') {
        throw new SimServiceError(400, 'Bad networks format: network uuid is not in proper format ()');
      }
      const net = this.deps.neutron.getNetwork(n.uuid);
      const owner = net?.project_id ?? net?.tenant_id;
      if (!net || (!admin && net.shared !== true && owner !== undefined && owner !== projectId)) {
        throw new SimServiceError(400, `Network ${n.uuid} could not be found.`);
      }
      const fixedIp = typeof n.fixed_ip === 'string' ? n.fixed_ip : undefined;
      if (fixedIp) {
        if (maxCount > 1) throw new SimServiceError(400, 'max_count cannot be greater than 1 if an fixed_ip is specified.');
        const holder = this.deps.neutron.listPorts({ network_id: n.uuid }).find((p) => p.fixed_ips.some((ip) => ip.ip_address === fixedIp));
        if (holder) {
          throw new SimServiceError(400, `Fixed IP address ${fixedIp} is already in use on instance ${holder.device_id || holder.id}.`);
        }
      }
      out.push({ networkId: n.uuid, fixedIp, tag });
    }
    return out;
  }

  /**
   * No network named (before 2.37) or `auto`: the one network the project can use (its own or
   * shared, not external); 409 when there are several. `auto` with none cannot be satisfied (the
   * simulator has no auto-allocated topology); without networks and before 2.37 no NIC is made.
   */
  private pickNetworks(ctx: NovaCtx, explicitAuto: boolean): NetworkRequest[] {
    const list = (this.deps.neutron as NeutronExtras).listNetworks?.({}) ?? [];
    const usable = list.filter((n) => (n.project_id === ctx.caller.projectId || n.tenant_id === ctx.caller.projectId || n.shared === true) && n['router:external'] !== true);
    if (usable.length > 1) {
      throw new SimServiceError(409, 'Multiple possible networks found, use a Network ID to be more specific.');
    }
    if (usable.length === 1) return [{ networkId: String(usable[0].id), tag: null }];
    if (explicitAuto) {
      throw new SimServiceError(400, `Unable to automatically allocate a network for project ${ctx.caller.projectId}`);
    }
    return [];
  }

  /** Undoes everything a server holds in Neutron and Cinder and forgets it. */
  teardown(server: Server): void {
    for (const ref of server.ports) this.releasePort(ref);
    for (const p of this.views.portsOf(server)) {
      if (!server.ports.some((r) => r.portId === p.id)) this.releasePort({ portId: p.id, createdByNova: false, tag: null });
    }
    for (const att of [...server.volumes]) this.detachVolume(server, att, att.deleteOnTermination);
    if (server.shelvedImageId) this.deps.glance.deleteImage(server.shelvedImageId);
    this.state.servers.delete(server.id);
    this.admin?.recordTermination(server);
  }

  // ------------------------------------------------------------------------------------------
  // List

  list(ctx: NovaCtx, query: Query): { servers: Server[]; full: boolean } {
    const v = ctx.version;
    if (v.ge('2.75')) {
      const unknown = Object.keys(query).filter((k) => !LIST_PARAMS.has(k));
      if (unknown.length > 0) {
        throw new SimServiceError(
          400,
          `Invalid input for query parameters ${unknown[0]}. Value: ${qLast(query, unknown[0])}. Additional properties are not allowed ('${unknown[0]}' was unexpected)`,
        );
      }
    }
    const caller = ctx.caller;
    const admin = caller.isAdmin;
    let projectFilter: string | undefined = caller.projectId;
    const allTenantsText = query.all_tenants !== undefined ? (qLast(query, 'all_tenants') ?? '') : undefined;
    const allTenants = allTenantsText !== undefined && (allTenantsText === '' || parseBool(allTenantsText) !== false);
    if (allTenants && !admin) {
      throw new SimServiceError(403, "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.");
    }
    const tenantParam = qLast(query, 'project_id') ?? qLast(query, 'tenant_id');
    if (admin && allTenants) projectFilter = tenantParam;
    else if (admin && tenantParam) projectFilter = tenantParam;

    const preds: Array<(s: Server) => boolean> = [];
    const regex = (text: string): RegExp => {
      try {
        return new RegExp(text);
      } catch {
        return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      }
    };
    const name = qLast(query, 'name') ?? qLast(query, 'display_name');
    if (name !== undefined) {
      const re = regex(name);
      preds.push((s) => re.test(s.name));
    }
    const statuses = qAll(query, 'status').map((s) => s.toUpperCase());
    if (statuses.length > 0) {
      const known = statuses.filter((s) => s in STATUS_FILTER);
      if (known.length < statuses.length) {
        if (v.ge('2.38')) throw new SimServiceError(400, 'Invalid status value');
        if (known.length === 0) return { servers: [], full: false };
      }
      preds.push((s) => known.includes(statusOf(s.vmState, s.taskState)));
    }
    const image = qLast(query, 'image');
    if (image !== undefined) preds.push((s) => s.imageId === refId(image));
    const flavor = qLast(query, 'flavor');
    if (flavor !== undefined) preds.push((s) => s.flavor.id === refId(flavor));
    const reservation = qLast(query, 'reservation_id');
    if (reservation !== undefined) preds.push((s) => s.reservationId === reservation);
    const ipFilter = (text: string, six: boolean) => {
      const re = regex(text);
      preds.push((s) => this.views.portsOf(s).some((p) => p.fixed_ips.some((ip) => ip.ip_address.includes(':') === six && re.test(ip.ip_address))));
    };
    const ip = qLast(query, 'ip');
    if (ip !== undefined) ipFilter(ip, false);
    const ip6 = qLast(query, 'ip6');
    if (ip6 !== undefined && (admin || v.ge('2.5'))) ipFilter(ip6, true);
    const since = qLast(query, 'changes-since');
    if (since !== undefined) {
      const t = parseIsoTime(since);
      if (!t) throw new SimServiceError(400, `Invalid input for query parameters changes-since. Value: ${since}. '${since}' is not a 'date-time'`);
      preds.push((s) => s.updatedAt.getTime() >= t.getTime());
    }
    const before = qLast(query, 'changes-before');
    if (before !== undefined && v.ge('2.66')) {
      const t = parseIsoTime(before);
      if (!t) throw new SimServiceError(400, `Invalid input for query parameters changes-before. Value: ${before}. '${before}' is not a 'date-time'`);
      if (since !== undefined && parseIsoTime(since)!.getTime() > t.getTime()) {
        throw new SimServiceError(400, 'The value of changes-since must be less than or equal to changes-before.');
      }
      preds.push((s) => s.updatedAt.getTime() <= t.getTime());
    }
    if (v.ge('2.26')) {
      const tagList = (key: string) =>
        qAll(query, key)
          .flatMap((t) => t.split(','))
          .filter((t) => t !== '');
      const all = tagList('tags');
      const any = tagList('tags-any');
      const notAll = tagList('not-tags');
      const notAny = tagList('not-tags-any');
      if (all.length) preds.push((s) => all.every((t) => s.tags.includes(t)));
      if (any.length) preds.push((s) => any.some((t) => s.tags.includes(t)));
      if (notAll.length) preds.push((s) => !notAll.every((t) => s.tags.includes(t)));
      if (notAny.length) preds.push((s) => !notAny.some((t) => s.tags.includes(t)));
    }
    const locked = qLast(query, 'locked');
    if (locked !== undefined && v.ge('2.73')) {
      const b = parseBool(locked);
      if (b === undefined)
        throw new SimServiceError(400, `Unrecognized value '${locked}', acceptable values are: '1', '0', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
      preds.push((s) => s.locked === b);
    }
    const wide = admin || v.ge('2.83');
    const az = qLast(query, 'availability_zone');
    if (az !== undefined && wide) preds.push((s) => s.availabilityZone === az);
    const keyName = qLast(query, 'key_name');
    if (keyName !== undefined && wide) preds.push((s) => s.keyName === keyName);
    const description = qLast(query, 'description');
    if (description !== undefined && wide && v.ge('2.19')) {
      const re = regex(description);
      preds.push((s) => s.description !== null && re.test(s.description));
    }
    const configDrive = qLast(query, 'config_drive');
    if (configDrive !== undefined && wide) preds.push((s) => s.configDrive === (parseBool(configDrive) ?? false));
    const vmState = qAll(query, 'vm_state');
    if (vmState.length && wide) preds.push((s) => vmState.includes(s.vmState));
    const taskState = qAll(query, 'task_state');
    if (taskState.length && wide) preds.push((s) => taskState.includes(String(s.taskState)));
    const powerState = qAll(query, 'power_state');
    if (powerState.length && wide) preds.push((s) => powerState.includes(String(s.powerState)));
    if (admin) {
      const host = qLast(query, 'host');
      if (host !== undefined) preds.push((s) => s.host === host);
      const node = qLast(query, 'node');
      if (node !== undefined) preds.push((s) => s.node === node);
      const uuid = qLast(query, 'uuid');
      if (uuid !== undefined) preds.push((s) => s.id === uuid);
      const userId = qLast(query, 'user_id');
      if (userId !== undefined) preds.push((s) => s.userId === userId);
      const hostname = qLast(query, 'hostname');
      if (hostname !== undefined) {
        const re = regex(hostname);
        preds.push((s) => re.test(s.hostname));
      }
    }

    const sort = this.sortSpec(ctx, query);
    const cmp = makeComparator<Server>(sort, sortValue);
    const { limit, marker } = this.pagination(ctx, query);
    const scoped = [...this.state.servers.values()].filter((s) => (projectFilter === undefined || s.projectId === projectFilter) && preds.every((p) => p(s)));
    const { page, full } = pageOf(scoped, cmp, marker, limit);
    return { servers: page, full };
  }

  private sortSpec(ctx: NovaCtx, query: Query): SortSpec[] {
    const keys = qAll(query, 'sort_key');
    const dirs = qAll(query, 'sort_dir');
    for (const k of keys) {
      if (!SORT_KEYS.has(k) || (k === 'locked' && ctx.version.lt('2.73'))) {
        throw new SimServiceError(400, `Invalid input for query parameters sort_key. Value: ${k}. '${k}' is not one of the valid sort keys`);
      }
      if ((k === 'host' || k === 'node') && !ctx.caller.isAdmin) {
        throw new SimServiceError(403, 'Only administrators can sort servers by host or node');
      }
    }
    for (const d of dirs) {
      if (d !== 'asc' && d !== 'desc') {
        throw new SimServiceError(400, `Invalid input for query parameters sort_dir. Value: ${d}. '${d}' is not one of ['asc', 'desc']`);
      }
    }
    if (dirs.length > keys.length) throw new SimServiceError(400, 'Sort direction size exceeds sort key size');
    const defaultDir = (dirs[0] as 'asc' | 'desc' | undefined) ?? 'desc';
    const spec: SortSpec[] = keys.map((key, i) => ({ key, dir: (dirs[i] as 'asc' | 'desc' | undefined) ?? defaultDir }));
    if (!keys.includes('created_at')) spec.push({ key: 'created_at', dir: defaultDir });
    if (!keys.includes('uuid')) spec.push({ key: 'uuid', dir: defaultDir });
    return spec;
  }

  private pagination(ctx: NovaCtx, query: Query): { limit: number; marker: Server | undefined } {
    const limitText = qLast(query, 'limit');
    let limit = MAX_LIMIT;
    if (limitText !== undefined) {
      if (!/^-?\d+$/.test(limitText.trim())) {
        throw new SimServiceError(400, `Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' does not match '^[0-9]*$'`);
      }
      const n = Number(limitText);
      if (n < 0) throw new SimServiceError(400, 'limit param must be positive');
      limit = Math.min(n, MAX_LIMIT);
    }
    const markerId = qLast(query, 'marker');
    let marker: Server | undefined;
    if (markerId !== undefined) {
      marker = this.state.servers.get(markerId);
      const visible = marker !== undefined && (ctx.caller.isAdmin || marker.projectId === ctx.caller.projectId);
      if (!marker || !visible) throw new SimServiceError(400, `marker [${markerId}] not found`);
    }
    return { limit, marker };
  }

  // ------------------------------------------------------------------------------------------
  // Update and delete

  update(ctx: NovaCtx, id: string, body: unknown): Server {
    validateBody(serverUpdateSchema(ctx.version), body);
    const server = this.get(ctx, id);
    const u = (body as { server: Record<string, unknown> }).server;
    if (typeof u.name === 'string') server.name = u.name;
    if ('description' in u) server.description = (u.description as string | null) ?? null;
    if (typeof u.accessIPv4 === 'string') server.accessIPv4 = u.accessIPv4;
    if (typeof u.accessIPv6 === 'string') server.accessIPv6 = canonicalIpv6(u.accessIPv6);
    if (u['OS-DCF:diskConfig'] === 'AUTO' || u['OS-DCF:diskConfig'] === 'MANUAL') server.diskConfig = u['OS-DCF:diskConfig'];
    if (typeof u.hostname === 'string') server.hostname = u.hostname;
    this.touch(server);
    return server;
  }

  delete(ctx: NovaCtx, id: string): void {
    const server = this.get(ctx, id);
    this.checkLock(ctx, server);
    this.finishAction(this.startAction(ctx, server, 'delete', 'compute_terminate_instance'));
    this.teardown(server);
  }

  /**
   * A server for reading its instance actions: from 2.21 also a deleted one (its last state, as Nova
   * reads deleted instances there); 404 as `get` otherwise.
   */
  getForActions(ctx: NovaCtx, id: string): Server {
    try {
      return this.get(ctx, id);
    } catch (err) {
      if (!ctx.version.ge('2.21')) throw err;
      const gone = this.admin?.terminated.findLast((t) => t.server.id === id && (ctx.caller.isAdmin || t.server.projectId === ctx.caller.projectId));
      if (!gone) throw err;
      return gone.server;
    }
  }
}
