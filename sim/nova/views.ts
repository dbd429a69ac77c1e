// Wire shapes of the simulated Nova's records, per microversion and caller role.
import { createHash } from 'node:crypto';
import type { SimPort } from '../types.js';
import { isoMicro, isoSeconds } from './apiutil.js';
import type { NeutronExtras, NovaCtx, NovaLinks, NovaSimDeps } from './context.js';
import { statusOf, type Flavor, type InstanceAction, type Keypair, type Server, type ServerVolume } from './model.js';

export type Addresses = Record<string, Array<Record<string, unknown>>>;

/** Per-request memo of Neutron lookups (a list of many servers shares networks and subnets). */
export class LookupCache {
  readonly networks = new Map<string, Record<string, unknown> | undefined>();
  readonly subnets = new Map<string, Record<string, unknown> | undefined>();
}

const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);

export class NovaViews {
  /** The server groups a server belongs to (2.71 `server_groups`), once the pod's groups are wired. */
  groupsOf?: (serverId: string) => string[];

  constructor(
    private readonly deps: NovaSimDeps,
    private readonly links: NovaLinks,
  ) {}

  /** Ports bound to a server in the pod's Neutron, Nova-created/given ones first in attach order. */
  portsOf(server: Server): SimPort[] {
    const ports = this.deps.neutron.listPorts({ device_id: server.id });
    const order = new Map(server.ports.map((p, i) => [p.portId, i]));
    return ports.sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
  }

  private network(id: string, cache: LookupCache): Record<string, unknown> | undefined {
    if (!cache.networks.has(id)) cache.networks.set(id, this.deps.neutron.getNetwork(id));
    return cache.networks.get(id);
  }

  private ipVersion(subnetId: string, addr: string, cache: LookupCache): number {
    if (!cache.subnets.has(subnetId)) cache.subnets.set(subnetId, this.deps.neutron.getSubnet(subnetId));
    const subnet = cache.subnets.get(subnetId);
    const v = subnet?.ip_version;
    if (v === 4 || v === 6) return v;
    return addr.includes(':') ? 6 : 4;
  }

  /** `addresses`: fixed (and floating, when Neutron tells) IPs grouped by network name. */
  addresses(server: Server, extended = true, cache = new LookupCache()): Addresses {
    const out: Addresses = {};
    const extras = this.deps.neutron as NeutronExtras;
    for (const port of this.portsOf(server)) {
      const net = this.network(port.network_id, cache);
      const label = typeof net?.name === 'string' && net.name !== '' ? net.name : port.network_id;
      const list = (out[label] ??= []);
      for (const ip of port.fixed_ips) {
        const entry: Record<string, unknown> = { version: this.ipVersion(ip.subnet_id, ip.ip_address, cache), addr: ip.ip_address };
        if (extended) {
          entry['OS-EXT-IPS:type'] = 'fixed';
          entry['OS-EXT-IPS-MAC:mac_addr'] = port.mac_address;
        }
        list.push(entry);
      }
      for (const fip of extras.listFloatingIps?.({ port_id: port.id }) ?? []) {
        const addr = String(fip.floating_ip_address ?? '');
        if (!addr) continue;
        const entry: Record<string, unknown> = { version: addr.includes(':') ? 6 : 4, addr };
        if (extended) {
          entry['OS-EXT-IPS:type'] = 'floating';
          entry['OS-EXT-IPS-MAC:mac_addr'] = port.mac_address;
        }
        list.push(entry);
      }
    }
    return out;
  }

  hostId(server: Server): string {
    if (!server.host) return '';
    return createHash('sha224')
      .update(server.projectId + server.host)
      .digest('hex');
  }

  private flavorRef(ctx: NovaCtx, server: Server): Record<string, unknown> {
    const f = server.flavor;
    if (ctx.version.ge('2.47')) {
      return {
        vcpus: f.vcpus,
        ram: f.ram,
        disk: f.disk,
        ephemeral: f.ephemeral,
        swap: f.swap,
        original_name: f.name,
        extra_specs: { ...f.extraSpecs },
      };
    }
    return { id: f.id, links: [{ href: this.links.bookmark(ctx, `flavors/${f.id}`), rel: 'bookmark' }] };
  }

  private volumesAttached(ctx: NovaCtx, server: Server): Array<Record<string, unknown>> {
    return server.volumes.map((v) => (ctx.version.ge('2.3') ? { id: v.volumeId, delete_on_termination: v.deleteOnTermination } : { id: v.volumeId }));
  }

  /** The `{id, links, name}` entry of `GET /servers`. */
  serverBrief(ctx: NovaCtx, server: Server): Record<string, unknown> {
    return { id: server.id, links: this.links.pair(ctx, 'servers', server.id), name: server.name };
  }

  /**
   * The full server of show / detail list / update / rebuild. `plain` is the update and rebuild answer before
   * microversion 2.75: Nova leaves out the extension attributes there (AZ, config drive, key name, usage, extended
   * status, volumes, security groups, server attributes, host status) and the addresses' OS-EXT-IPS keys.
   */
  server(ctx: NovaCtx, server: Server, opts: { show?: boolean; cache?: LookupCache; plain?: boolean; rebuild?: boolean } = {}): Record<string, unknown> {
    const v = ctx.version;
    const admin = ctx.caller.isAdmin;
    const plain = opts.plain === true;
    const out: Record<string, unknown> = {
      id: server.id,
      name: server.name,
      status: statusOf(server.vmState, server.taskState),
      tenant_id: server.projectId,
      user_id: server.userId,
      metadata: { ...server.metadata },
      hostId: this.hostId(server),
      image: server.imageId ? { id: server.imageId, links: [{ href: this.links.bookmark(ctx, `images/${server.imageId}`), rel: 'bookmark' }] } : '',
      flavor: this.flavorRef(ctx, server),
      created: isoSeconds(server.createdAt),
      updated: isoSeconds(server.updatedAt),
      addresses: this.addresses(server, !plain, opts.cache),
      accessIPv4: server.accessIPv4,
      accessIPv6: server.accessIPv6,
      links: this.links.pair(ctx, 'servers', server.id),
      'OS-DCF:diskConfig': server.diskConfig,
    };
    // Nova shows progress only while it means something.
    if (PROGRESS_STATUSES.has(out.status as string)) out.progress = server.progress;
    if (!plain) {
      Object.assign(out, {
        'OS-EXT-AZ:availability_zone': server.availabilityZone,
        config_drive: server.configDrive ? 'True' : '',
        key_name: server.keyName,
        'OS-SRV-USG:launched_at': server.launchedAt ? isoMicro(server.launchedAt) : null,
        'OS-SRV-USG:terminated_at': null,
        'OS-EXT-STS:task_state': server.taskState,
        'OS-EXT-STS:vm_state': server.vmState,
        'OS-EXT-STS:power_state': server.powerState,
        'os-extended-volumes:volumes_attached': this.volumesAttached(ctx, server),
      });
      if (server.securityGroups.length > 0) out.security_groups = server.securityGroups.map((name) => ({ name }));
    }
    if (admin && !plain) {
      out['OS-EXT-SRV-ATTR:host'] = server.host;
      out['OS-EXT-SRV-ATTR:hypervisor_hostname'] = server.node;
      out['OS-EXT-SRV-ATTR:instance_name'] = server.instanceName;
      if (v.ge('2.3')) {
        out['OS-EXT-SRV-ATTR:reservation_id'] = server.reservationId;
        out['OS-EXT-SRV-ATTR:launch_index'] = server.launchIndex;
        out['OS-EXT-SRV-ATTR:hostname'] = server.hostname;
        out['OS-EXT-SRV-ATTR:kernel_id'] = '';
        out['OS-EXT-SRV-ATTR:ramdisk_id'] = '';
        out['OS-EXT-SRV-ATTR:root_device_name'] = '/dev/vda';
        // The rebuild answer has the user data as its own `user_data` (2.57) and not among these.
        if (!opts.rebuild) out['OS-EXT-SRV-ATTR:user_data'] = server.userData;
      }
    } else if (v.ge('2.90')) {
      out['OS-EXT-SRV-ATTR:hostname'] = server.hostname;
    }
    if (v.ge('2.9')) out.locked = server.locked;
    if (v.ge('2.16') && admin && !plain) out.host_status = server.host ? 'UP' : '';
    if (v.ge('2.19')) out.description = server.description;
    if (v.ge('2.26')) out.tags = [...server.tags];
    if (v.ge('2.63')) out.trusted_image_certificates = server.trustedCerts;
    if (v.ge('2.71') && opts.show) out.server_groups = this.groupsOf?.(server.id) ?? [];
    if (v.ge('2.73')) out.locked_reason = server.lockedReason;
    if (server.vmState === 'error') {
      out.fault = {
        code: 500,
        created: isoSeconds(server.updatedAt),
        message: 'Simulated failure',
        ...(admin ? { details: 'Simulated failure' } : {}),
      };
    }
    return out;
  }

  /** Pre-2.47 flavor detail fields and later additions. */
  flavor(ctx: NovaCtx, f: Flavor, detail: boolean): Record<string, unknown> {
    const v = ctx.version;
    const out: Record<string, unknown> = { id: f.id, links: this.links.pair(ctx, 'flavors', f.id), name: f.name };
    if (v.ge('2.55')) out.description = f.description;
    if (!detail) return out;
    Object.assign(out, {
      ram: f.ram,
      disk: f.disk,
      swap: v.ge('2.75') ? f.swap : f.swap === 0 ? '' : f.swap,
      'OS-FLV-EXT-DATA:ephemeral': f.ephemeral,
      'OS-FLV-DISABLED:disabled': f.disabled,
      vcpus: f.vcpus,
      'os-flavor-access:is_public': f.isPublic,
      rxtx_factor: f.rxtxFactor,
    });
    if (v.ge('2.61')) out.extra_specs = { ...f.extraSpecs };
    return out;
  }

  keypairBrief(ctx: NovaCtx, k: Keypair): Record<string, unknown> {
    return {
      name: k.name,
      public_key: k.publicKey,
      fingerprint: k.fingerprint,
      ...(ctx.version.ge('2.2') ? { type: k.type } : {}),
    };
  }

  keypairFull(ctx: NovaCtx, k: Keypair): Record<string, unknown> {
    return {
      ...this.keypairBrief(ctx, k),
      user_id: k.userId,
      deleted: false,
      created_at: isoMicro(k.createdAt),
      updated_at: null,
      deleted_at: null,
      id: k.id,
    };
  }

  instanceAction(ctx: NovaCtx, server: Server, a: InstanceAction, withEvents: boolean): Record<string, unknown> {
    const v = ctx.version;
    const out: Record<string, unknown> = {
      action: a.action,
      instance_uuid: server.id,
      message: a.message,
      project_id: a.projectId,
      request_id: a.requestId,
      start_time: isoMicro(a.startTime),
      user_id: a.userId,
    };
    if (v.ge('2.58')) out.updated_at = isoMicro(a.updatedAt);
    if (withEvents) {
      out.events = a.events.map((e) => {
        const ev: Record<string, unknown> = {
          event: e.event,
          start_time: isoMicro(e.startTime),
          finish_time: e.finishTime ? isoMicro(e.finishTime) : null,
          result: e.result,
        };
        if (ctx.caller.isAdmin) ev.traceback = null;
        if (v.ge('2.62')) {
          ev.hostId = this.hostId(server);
          if (ctx.caller.isAdmin) ev.host = server.host ?? '';
        }
        if (v.ge('2.84')) ev.details = null;
        return ev;
      });
    }
    return out;
  }

  volumeAttachment(ctx: NovaCtx, server: Server, a: ServerVolume, forCreate = false): Record<string, unknown> {
    const v = ctx.version;
    const out: Record<string, unknown> = { device: a.device, serverId: server.id, volumeId: a.volumeId };
    if (v.lt('2.89') || forCreate) out.id = a.volumeId;
    if (v.ge('2.70')) out.tag = a.tag;
    if (v.ge('2.79')) out.delete_on_termination = a.deleteOnTermination;
    if (v.ge('2.89') && !forCreate) {
      out.attachment_id = a.attachmentId;
      out.bdm_uuid = a.bdmId;
    }
    return out;
  }

  interfaceAttachment(ctx: NovaCtx, port: SimPort, tag: string | null): Record<string, unknown> {
    const out: Record<string, unknown> = {
      fixed_ips: port.fixed_ips.map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
      mac_addr: port.mac_address,
      net_id: port.network_id,
      port_id: port.id,
      port_state: port.status,
    };
    if (ctx.version.ge('2.70')) out.tag = tag;
    return out;
  }
}
