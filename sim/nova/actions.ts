// Server actions (POST /servers/{id}/action) of the simulated Nova, with the upstream state machine:
// each action checks the allowed vm_state/task_state, sets a task state, and completes after the
// transition delay.
import { SimServiceError } from '../types.js';
import { randomUUID } from 'node:crypto';
import { ApiVersion, canonicalIpv6, randomPassword } from './apiutil.js';
import type { NovaCtx, NovaLinks } from './context.js';
import { POWER, type Server, type VmState } from './model.js';
import {
  changePasswordSchema,
  consoleOutputSchema,
  createBackupSchema,
  createImageSchema,
  lockSchema,
  migrateLiveSchema,
  rebootSchema,
  rebuildSchema,
  rescueSchema,
  resetStateSchema,
  resizeSchema,
  securityGroupActionSchema,
  unshelveSchema,
} from './schemas.js';
import { snapshotOf, type ServerService } from './servers.js';
import { validateBody, type Schema } from './validate.js';
import type { NovaViews } from './views.js';

export interface ActionResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface ActionDef {
  minVersion?: string;
  /** Last microversion the action exists in. */
  maxVersion?: string;
  /** Admin-only actions name their policy for the 403 message. */
  adminPolicy?: string;
  /** Whether a locked server refuses the action for non-admins (default true). */
  lockChecked?: boolean;
  run(ctx: NovaCtx, server: Server, arg: unknown): ActionResult;
}

const ACCEPTED: ActionResult = { status: 202 };

function policyError(policy: string): SimServiceError {
  return new SimServiceError(403, `Policy doesn't allow ${policy} to be performed.`);
}

export class ServerActions {
  private readonly defs: Record<string, ActionDef>;

  constructor(
    private readonly servers: ServerService,
    private readonly views: NovaViews,
    private readonly links: NovaLinks,
    private readonly shelvedOffloadTime: number,
  ) {
    this.defs = this.build();
  }

  /** Runs the action named by the single key of `body`; 400 for an unknown action. */
  perform(ctx: NovaCtx, serverId: string, body: unknown): ActionResult {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SimServiceError(400, 'Malformed request body');
    }
    const keys = Object.keys(body);
    const name = keys.find((k) => this.available(ctx, k));
    if (!name) throw new SimServiceError(400, `There is no such action: ${keys[0] ?? ''}`);
    const def = this.defs[name];
    if (def.adminPolicy && !ctx.caller.isAdmin) throw policyError(def.adminPolicy);
    const server = this.servers.get(ctx, serverId);
    if (def.lockChecked !== false) this.servers.checkLock(ctx, server);
    return def.run(ctx, server, (body as Record<string, unknown>)[name]);
  }

  private available(ctx: NovaCtx, name: string): boolean {
    const def = Object.hasOwn(this.defs, name) ? this.defs[name] : undefined;
    if (!def) return false;
    if (def.minVersion && ctx.version.lt(def.minVersion)) return false;
    return !(def.maxVersion && ctx.version.compare(ApiVersion.of(def.maxVersion)) > 0);
  }

  /** A console URL of the (simulated, not answering) console proxy; 409 while the server is not running. */
  consoleUrl(server: Server, type: string): string {
    if (server.vmState !== 'active' && server.vmState !== 'rescued') throw new SimServiceError(409, `Instance ${server.id} is not ready`);
    const token = randomUUID();
    this.servers.admin?.consoleTokens.set(token, { serverId: server.id, host: server.host ?? '' });
    if (type === 'serial') return `ws://127.0.0.1:6083/?token=${token}`;
    if (type === 'spice-html5') return `http://127.0.0.1:6082/spice_auto.html?token=${token}`;
    return `http://127.0.0.1:6080/vnc_lite.html?path=%3Ftoken%3D${token}`;
  }

  /** A plain state change: check states, set the task, land in `to` after the delay. */
  private simple(action: string, event: string, from: VmState[], task: string, to: VmState, power: number, extra?: (s: Server) => void): ActionDef['run'] {
    return (ctx, server) => {
      this.servers.checkState(server, action, from);
      const rec = this.servers.startAction(ctx, server, action, event);
      this.servers.transition(
        server,
        task,
        (s) => {
          s.vmState = to;
          s.powerState = power;
          extra?.(s);
        },
        rec,
      );
      return ACCEPTED;
    };
  }

  private build(): Record<string, ActionDef> {
    const svc = this.servers;
    const validate = (schema: Schema, arg: unknown, name: string) => validateBody({ type: 'object', properties: { [name]: schema }, required: [name] }, { [name]: arg });
    const rebind = (s: Server) => svc.setPortsHost(s);
    return {
      'os-start': { run: this.simple('start', 'compute_start_instance', ['stopped'], 'powering-on', 'active', POWER.RUNNING) },
      'os-stop': {
        run: this.simple('stop', 'compute_stop_instance', ['active', 'rescued', 'error'], 'powering-off', 'stopped', POWER.SHUTDOWN),
      },
      reboot: {
        run: (ctx, server, arg) => {
          validate(rebootSchema, arg, 'reboot');
          const hard = String((arg as { type: string }).type).toUpperCase() === 'HARD';
          if (hard) {
            svc.checkState(
              server,
              'reboot',
              ['active', 'stopped', 'paused', 'suspended', 'error'],
              [null, 'rebooting', 'reboot_pending', 'reboot_started', 'rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard'],
            );
          } else {
            svc.checkState(server, 'reboot', ['active'], [null]);
          }
          const rec = svc.startAction(ctx, server, 'reboot', 'compute_reboot_instance');
          svc.transition(
            server,
            hard ? 'rebooting_hard' : 'rebooting',
            (s) => {
              s.vmState = 'active';
              s.powerState = POWER.RUNNING;
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      pause: { run: this.simple('pause', 'compute_pause_instance', ['active'], 'pausing', 'paused', POWER.PAUSED) },
      unpause: { run: this.simple('unpause', 'compute_unpause_instance', ['paused'], 'unpausing', 'active', POWER.RUNNING) },
      suspend: { run: this.simple('suspend', 'compute_suspend_instance', ['active'], 'suspending', 'suspended', POWER.SUSPENDED) },
      resume: { run: this.simple('resume', 'compute_resume_instance', ['suspended'], 'resuming', 'active', POWER.RUNNING) },
      shelve: {
        run: (ctx, server) => {
          svc.checkState(server, 'shelve', ['active', 'stopped', 'paused', 'suspended']);
          const rec = svc.startAction(ctx, server, 'shelve', 'compute_shelve_instance');
          // As Nova: an image-backed server is snapshotted into `<name>-shelved`, which unshelve spawns from and then deletes.
          if (server.imageId !== '') {
            server.shelvedImageId = svc.deps.glance.createImage(server.projectId, `${server.name}-shelved`, {
              instance_uuid: server.id,
              image_type: 'snapshot',
              base_image_ref: server.imageId,
              user_id: ctx.caller.userId,
            });
          }
          svc.transition(
            server,
            'shelving',
            (s) => {
              s.powerState = POWER.SHUTDOWN;
              if (this.shelvedOffloadTime === 0) {
                s.vmState = 'shelved_offloaded';
                s.host = null;
                s.node = null;
                rebind(s);
              } else {
                s.vmState = 'shelved';
              }
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      shelveOffload: {
        run: (ctx, server) => {
          svc.checkState(server, 'shelveOffload', ['shelved']);
          const rec = svc.startAction(ctx, server, 'shelveOffload', 'compute_shelve_offload_instance');
          svc.transition(
            server,
            'shelving_offloading',
            (s) => {
              s.vmState = 'shelved_offloaded';
              s.host = null;
              s.node = null;
              rebind(s);
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      unshelve: {
        run: (ctx, server, arg) => {
          validate(unshelveSchema(ctx.version), arg, 'unshelve');
          svc.checkState(server, 'unshelve', ['shelved', 'shelved_offloaded']);
          const az = (arg as { availability_zone?: string | null } | null)?.availability_zone;
          if (typeof az === 'string' && az !== svc.deps.az) {
            throw new SimServiceError(400, 'The requested availability zone is not available');
          }
          const rec = svc.startAction(ctx, server, 'unshelve', 'compute_unshelve_instance');
          svc.transition(
            server,
            server.vmState === 'shelved' ? 'unshelving' : 'spawning',
            (s) => {
              s.vmState = 'active';
              s.powerState = POWER.RUNNING;
              if (s.shelvedImageId) svc.deps.glance.deleteImage(s.shelvedImageId);
              delete s.shelvedImageId;
              if (!s.host) {
                s.host = svc.hosts[0];
                s.node = s.host;
                rebind(s);
              }
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      lock: {
        lockChecked: false,
        run: (ctx, server, arg) => {
          validate(lockSchema(ctx.version), arg, 'lock');
          const reason = (arg as { locked_reason?: string } | null)?.locked_reason;
          const rec = svc.startAction(ctx, server, 'lock', 'compute_lock_instance');
          server.locked = true;
          server.lockedBy = ctx.caller.isAdmin && ctx.caller.projectId !== server.projectId ? 'admin' : 'owner';
          server.lockedReason = ctx.version.ge('2.73') && reason ? reason : null;
          svc.touch(server);
          svc.finishAction(rec);
          return ACCEPTED;
        },
      },
      unlock: {
        lockChecked: false,
        run: (ctx, server) => {
          if (server.locked && server.lockedBy === 'admin' && !ctx.caller.isAdmin) {
            throw policyError('os_compute_api:os-lock-server:unlock:unlock_override');
          }
          const rec = svc.startAction(ctx, server, 'unlock', 'compute_unlock_instance');
          server.locked = false;
          server.lockedBy = null;
          server.lockedReason = null;
          svc.touch(server);
          svc.finishAction(rec);
          return ACCEPTED;
        },
      },
      resize: {
        run: (ctx, server, arg) => {
          validate(resizeSchema, arg, 'resize');
          svc.checkState(server, 'resize', ['active', 'stopped']);
          const ref = (arg as { flavorRef: unknown }).flavorRef;
          const flavor = snapshotOf(svc.flavorForRequest(ctx, ref, 'Unable to locate requested flavor.'));
          if (flavor.id === server.flavor.id) throw new SimServiceError(400, 'When resizing, instances must change flavor!');
          if (server.imageId && flavor.disk < server.flavor.disk) {
            throw new SimServiceError(400, 'Resizing to a smaller disk flavor is not allowed.');
          }
          svc.fitQuota(server.projectId, { ...flavor, vcpus: Math.max(0, flavor.vcpus - server.flavor.vcpus), ram: Math.max(0, flavor.ram - server.flavor.ram) }, 1, 1, true);
          // As Nova: the disk config given with a resize becomes the server's.
          const disk = (arg as { 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL' })['OS-DCF:diskConfig'];
          if (disk !== undefined) server.diskConfig = disk;
          const rec = svc.startAction(ctx, server, 'resize', 'compute_prep_resize');
          svc.admin?.recordMigration(ctx, server, 'resize', server.host ?? '', server.host ?? '', flavor.id);
          const previous = server.vmState;
          svc.transition(
            server,
            'resize_prep',
            (s) => {
              s.oldFlavor = s.flavor;
              s.flavor = flavor;
              s.previousVmState = previous;
              s.vmState = 'resized';
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      migrate: {
        adminPolicy: 'os_compute_api:os-migrate-server:migrate',
        run: (ctx, server) => {
          svc.checkState(server, 'migrate', ['active', 'stopped']);
          const rec = svc.startAction(ctx, server, 'migrate', 'compute_prep_resize');
          svc.admin?.recordMigration(ctx, server, 'migration', server.host ?? '', svc.otherHost(server.host), server.flavor.id);
          const previous = server.vmState;
          svc.transition(
            server,
            'resize_prep',
            (s) => {
              s.oldFlavor = s.flavor;
              s.previousVmState = previous;
              s.host = svc.otherHost(s.host);
              s.node = s.host;
              s.vmState = 'resized';
              rebind(s);
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      'os-migrateLive': {
        adminPolicy: 'os_compute_api:os-migrate-server:migrate_live',
        run: (ctx, server, arg) => {
          validate(migrateLiveSchema, arg, 'os-migrateLive');
          svc.checkState(server, 'os-migrateLive', ['active', 'paused']);
          const target = (arg as { host: string | null }).host;
          if (target && !svc.hosts.includes(target)) throw new SimServiceError(400, `Compute host ${target} could not be found.`);
          if (target && target === server.host) throw new SimServiceError(400, `The supplied hypervisor type of is invalid.`);
          const rec = svc.startAction(ctx, server, 'live-migration', 'compute_live_migration');
          svc.admin?.recordMigration(ctx, server, 'live-migration', server.host ?? '', target ?? svc.otherHost(server.host), server.flavor.id);
          svc.transition(
            server,
            'migrating',
            (s) => {
              s.host = target ?? svc.otherHost(s.host);
              s.node = s.host;
              rebind(s);
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      confirmResize: {
        run: (ctx, server) => {
          svc.checkState(server, 'confirmResize', ['resized']);
          const rec = svc.startAction(ctx, server, 'confirmResize', 'compute_confirm_resize');
          svc.admin?.settleMigration(server.id, 'confirmed');
          server.vmState = server.previousVmState === 'stopped' ? 'stopped' : 'active';
          server.oldFlavor = null;
          server.previousVmState = null;
          svc.touch(server);
          svc.finishAction(rec);
          return { status: 204 };
        },
      },
      revertResize: {
        run: (ctx, server) => {
          svc.checkState(server, 'revertResize', ['resized']);
          const rec = svc.startAction(ctx, server, 'revertResize', 'compute_revert_resize');
          svc.admin?.settleMigration(server.id, 'reverted');
          svc.transition(
            server,
            'resize_reverting',
            (s) => {
              if (s.oldFlavor) s.flavor = s.oldFlavor;
              s.oldFlavor = null;
              s.vmState = s.previousVmState === 'stopped' ? 'stopped' : 'active';
              s.previousVmState = null;
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      rebuild: {
        run: (ctx, server, arg) => {
          validate(rebuildSchema(ctx.version), arg, 'rebuild');
          const r = arg as Record<string, unknown>;
          svc.checkState(server, 'rebuild', ['active', 'stopped', 'error']);
          const imageId = String(r.imageRef);
          if (imageId === '' && server.imageId === '') {
            throw new SimServiceError(400, 'Rebuild of a volume-backed server is not supported with an empty image.');
          }
          if (imageId) svc.checkImage(imageId, server.flavor);
          let key: { name: string; publicKey: string } | null | undefined;
          if (typeof r.key_name === 'string') {
            key = svc.state.keypairs.get(ctx.caller.userId)?.get(r.key_name);
            if (!key) throw new SimServiceError(400, 'Invalid key_name provided.');
          } else if (r.key_name === null) {
            key = null;
          }
          if (r.metadata) svc.checkMetadataQuota(server.projectId, r.metadata as Record<string, string>);
          if (key !== undefined) {
            server.keyName = key?.name ?? null;
            server.keyData = key?.publicKey ?? null;
          }
          if (r.metadata) server.metadata = { ...(r.metadata as Record<string, string>) };
          if (typeof r.name === 'string') server.name = r.name;
          if ('description' in r) server.description = (r.description as string | null) ?? null;
          if (typeof r.accessIPv4 === 'string') server.accessIPv4 = r.accessIPv4;
          if (typeof r.accessIPv6 === 'string') server.accessIPv6 = canonicalIpv6(r.accessIPv6);
          if ('user_data' in r) server.userData = (r.user_data as string | null) ?? null;
          if (typeof r.hostname === 'string') server.hostname = r.hostname;
          if (imageId) server.imageId = imageId;
          if (r['OS-DCF:diskConfig'] === 'AUTO' || r['OS-DCF:diskConfig'] === 'MANUAL') server.diskConfig = r['OS-DCF:diskConfig'];
          server.adminPass = typeof r.adminPass === 'string' ? r.adminPass : randomPassword();
          const rec = svc.startAction(ctx, server, 'rebuild', 'compute_rebuild_instance');
          const wasStopped = server.vmState === 'stopped';
          svc.transition(
            server,
            'rebuilding',
            (s) => {
              s.vmState = wasStopped ? 'stopped' : 'active';
              s.powerState = wasStopped ? POWER.SHUTDOWN : POWER.RUNNING;
            },
            rec,
          );
          const view = this.views.server(ctx, server, { show: true, plain: !ctx.version.ge('2.75'), rebuild: true });
          // The rebuild answer names the key pair from 2.54 and the user data from 2.57 (both can be changed by it).
          if (ctx.version.ge('2.54')) view.key_name = server.keyName;
          if (ctx.version.ge('2.57')) view.user_data = server.userData;
          view.adminPass = server.adminPass;
          return { status: 202, body: { server: view } };
        },
      },
      'os-resetState': {
        adminPolicy: 'os_compute_api:os-admin-actions:reset_state',
        lockChecked: false,
        run: (ctx, server, arg) => {
          validate(resetStateSchema, arg, 'os-resetState');
          const state = (arg as { state: 'active' | 'error' }).state;
          const rec = svc.startAction(ctx, server, 'resetState', 'compute_reset_state');
          server.vmState = state;
          server.taskState = null;
          svc.touch(server);
          svc.finishAction(rec);
          return ACCEPTED;
        },
      },
      // An admin action that asks the hypervisor to refresh the guest's network settings: nothing to
      // change in a simulated guest, but Nova accepts it (202) rather than not knowing it.
      injectNetworkInfo: {
        adminPolicy: 'os_compute_api:os-admin-actions:inject_network_info',
        lockChecked: false,
        run: () => ACCEPTED,
      },
      forceDelete: {
        run: (_ctx, server) => {
          svc.teardown(server);
          return ACCEPTED;
        },
      },
      restore: {
        run: (_ctx, server) => {
          svc.checkState(server, 'restore', ['soft-delete']);
          return ACCEPTED;
        },
      },
      createImage: {
        lockChecked: false,
        run: (ctx, server, arg) => {
          validate(createImageSchema, arg, 'createImage');
          const r = arg as { name: string; metadata?: Record<string, string> };
          svc.checkState(server, 'createImage', ['active', 'stopped', 'paused', 'suspended', 'shelved', 'shelved_offloaded']);
          const props: Record<string, unknown> = {
            ...(r.metadata ?? {}),
            instance_uuid: server.id,
            image_type: 'snapshot',
            base_image_ref: server.imageId,
            user_id: ctx.caller.userId,
            owner_user_name: ctx.caller.userName,
            owner_project_name: ctx.caller.projectName,
          };
          const imageId = svc.deps.glance.createImage(ctx.caller.projectId, r.name, props);
          const rec = svc.startAction(ctx, server, 'createImage', 'compute_snapshot_instance');
          svc.transition(server, 'image_snapshot', () => undefined, rec, 0.5);
          if (ctx.version.ge('2.45')) return { status: 202, body: { image_id: imageId } };
          return { status: 202, headers: { location: this.links.versioned(ctx, `images/${imageId}`) } };
        },
      },
      createBackup: {
        lockChecked: false,
        run: (ctx, server, arg) => {
          validate(createBackupSchema, arg, 'createBackup');
          const r = arg as { name: string; backup_type: string; rotation: number | string; metadata?: Record<string, string> };
          if (server.imageId === '') throw new SimServiceError(400, 'Backup is not supported for volume-backed instances');
          svc.checkState(server, 'createBackup', ['active', 'stopped', 'paused', 'suspended']);
          const rotation = Number(r.rotation);
          const imageId = svc.deps.glance.createImage(ctx.caller.projectId, r.name, {
            ...(r.metadata ?? {}),
            instance_uuid: server.id,
            image_type: 'backup',
            backup_type: r.backup_type,
            base_image_ref: server.imageId,
            user_id: ctx.caller.userId,
          });
          // As Nova: only the `rotation` newest backups of this type are kept.
          const backups = (server.backups ??= {});
          const kept = [...(backups[r.backup_type] ?? []).filter((id) => svc.deps.glance.getImage(id) !== undefined), imageId];
          while (kept.length > rotation) svc.deps.glance.deleteImage(kept.shift()!);
          backups[r.backup_type] = kept;
          const rec = svc.startAction(ctx, server, 'createBackup', 'compute_backup_instance');
          svc.transition(server, 'image_backup', () => undefined, rec, 0.5);
          if (ctx.version.ge('2.45')) return { status: 202, body: { image_id: imageId } };
          if (rotation === 0) return ACCEPTED;
          return { status: 202, headers: { location: this.links.versioned(ctx, `images/${imageId}`) } };
        },
      },
      'os-getConsoleOutput': {
        lockChecked: false,
        run: (_ctx, server, arg) => {
          validate(consoleOutputSchema, arg, 'os-getConsoleOutput');
          if (server.vmState === 'building' || !server.host) throw new SimServiceError(409, `Instance ${server.id} is not ready`);
          const len = (arg as { length?: unknown } | null)?.length;
          const lines = [
            `[    0.000000] Linux version 5.15.0-sim (sim@${server.host}) #1 SMP`,
            `[    0.000000] Command line: root=/dev/vda1 console=ttyS0`,
            `cloud-init[${server.seq}]: Cloud-init v. 22.4 running 'init' at ${server.createdAt.toUTCString()}.`,
            `cloud-init[${server.seq}]: ci-info: ${server.hostname} is up`,
            `${server.hostname} login: `,
          ];
          let out = lines;
          if (len !== undefined && len !== null && Number(len) >= 0) out = lines.slice(Math.max(0, lines.length - Number(len)));
          return { status: 200, body: { output: out.join('\n') } };
        },
      },
      'os-getVNCConsole': {
        maxVersion: '2.5',
        lockChecked: false,
        run: (_ctx, server, arg) => {
          const type = (arg as { type?: string } | null)?.type;
          if (type !== 'novnc' && type !== 'xvpvnc') throw new SimServiceError(400, 'Invalid input for field/attribute type.');
          return { status: 200, body: { console: { type, url: this.consoleUrl(server, 'novnc') } } };
        },
      },
      'os-getSerialConsole': {
        maxVersion: '2.5',
        lockChecked: false,
        run: (_ctx, server, arg) => {
          const type = (arg as { type?: string } | null)?.type;
          if (type !== 'serial') throw new SimServiceError(400, 'Invalid input for field/attribute type.');
          return { status: 200, body: { console: { type, url: this.consoleUrl(server, 'serial') } } };
        },
      },
      rescue: {
        run: (ctx, server, arg) => {
          validate(rescueSchema, arg, 'rescue');
          svc.checkState(server, 'rescue', ['active', 'stopped', 'error']);
          const ref = (arg as { rescue_image_ref?: string } | null)?.rescue_image_ref;
          if (ref) svc.checkImage(ref);
          const pass = (arg as { adminPass?: string } | null)?.adminPass ?? randomPassword();
          const rec = svc.startAction(ctx, server, 'rescue', 'compute_rescue_instance');
          const previous = server.vmState;
          svc.transition(
            server,
            'rescuing',
            (s) => {
              s.previousVmState = previous;
              s.vmState = 'rescued';
              s.powerState = POWER.RUNNING;
            },
            rec,
          );
          return { status: 200, body: { adminPass: pass } };
        },
      },
      unrescue: {
        run: (ctx, server) => {
          svc.checkState(server, 'unrescue', ['rescued']);
          const rec = svc.startAction(ctx, server, 'unrescue', 'compute_unrescue_instance');
          svc.transition(
            server,
            'unrescuing',
            (s) => {
              s.vmState = 'active';
              s.previousVmState = null;
              s.powerState = POWER.RUNNING;
            },
            rec,
          );
          return ACCEPTED;
        },
      },
      // As Nova with Neutron: the group is looked up in the pod's Neutron by name or id (404 when the
      // project has none, 409 when a name is shared) and the server's ports are updated.
      addSecurityGroup: {
        run: (_ctx, server, arg) => {
          validate(securityGroupActionSchema, arg, 'addSecurityGroup');
          const group = svc.securityGroupFor(server, (arg as { name: string }).name);
          if (server.securityGroups.includes(group.name) || server.securityGroups.includes(group.id) || svc.portsInGroup(server, group.id)) {
            throw new SimServiceError(400, `Security group ${group.name} is already associated with the instance ${server.id}`);
          }
          svc.setPortGroups(server, group.id, true);
          server.securityGroups.push(group.name);
          svc.touch(server);
          return ACCEPTED;
        },
      },
      removeSecurityGroup: {
        run: (_ctx, server, arg) => {
          validate(securityGroupActionSchema, arg, 'removeSecurityGroup');
          const group = svc.securityGroupFor(server, (arg as { name: string }).name);
          if (!server.securityGroups.includes(group.name) && !server.securityGroups.includes(group.id) && !svc.portsInGroup(server, group.id)) {
            throw new SimServiceError(400, `Security group ${group.name} not associated with the instance ${server.id}`);
          }
          svc.setPortGroups(server, group.id, false);
          server.securityGroups = server.securityGroups.filter((g) => g !== group.name && g !== group.id);
          svc.touch(server);
          return ACCEPTED;
        },
      },
      trigger_crash_dump: {
        minVersion: '2.17',
        run: (ctx, server) => {
          svc.checkState(server, 'trigger_crash_dump', ['active', 'paused', 'rescued', 'resized', 'error']);
          if (server.powerState !== POWER.RUNNING && server.powerState !== POWER.PAUSED) {
            throw new SimServiceError(409, `Instance ${server.id} is not running.`);
          }
          svc.finishAction(svc.startAction(ctx, server, 'trigger_crash_dump', 'compute_trigger_crash_dump'));
          return ACCEPTED;
        },
      },
      changePassword: {
        run: (ctx, server, arg) => {
          validate(changePasswordSchema, arg, 'changePassword');
          svc.checkState(server, 'changePassword', ['active']);
          const rec = svc.startAction(ctx, server, 'changePassword', 'compute_set_admin_password');
          server.adminPass = (arg as { adminPass: string }).adminPass;
          svc.transition(server, 'updating_password', () => undefined, rec, 0.5);
          return ACCEPTED;
        },
      },
    };
  }
}
