// Sub-resources of a server in the simulated Nova: metadata, tags, IPs, instance actions,
// interfaces (ports in the pod's Neutron) and volume attachments (volumes in the pod's Cinder).
import { SimServiceError, type SimPort } from '../types.js';
import { parseIsoTime, qLast, type Query } from './apiutil.js';
import type { NovaCtx } from './context.js';
import type { InstanceAction, Server, ServerVolume, VmState } from './model.js';
import { interfaceAttachSchema, metadataAllSchema, metadataItemSchema, serverTag, tagsSchema, volumeAttachSchema, volumeUpdateSchema } from './schemas.js';
import type { ServerService } from './servers.js';
import { truthy, validateBody } from './validate.js';
import type { NovaViews } from './views.js';

const METADATA_STATES: VmState[] = ['active', 'paused', 'suspended', 'stopped'];
const TAG_STATES: VmState[] = ['active', 'paused', 'suspended', 'stopped', 'shelved', 'shelved_offloaded'];
const INTERFACE_STATES: VmState[] = ['active', 'paused', 'stopped', 'suspended', 'shelved', 'shelved_offloaded'];
const VOLUME_STATES: VmState[] = ['active', 'paused', 'stopped', 'resized', 'soft-delete', 'shelved', 'shelved_offloaded'];
export const MAX_TAGS = 50;

export class ServerParts {
  constructor(
    private readonly servers: ServerService,
    private readonly views: NovaViews,
  ) {}

  // ------------------------------------------------------------------------------------------
  // Metadata

  private metadataChange(ctx: NovaCtx, id: string, action: string): Server {
    const server = this.servers.get(ctx, id);
    this.servers.checkLock(ctx, server);
    this.servers.checkState(server, action, METADATA_STATES);
    return server;
  }

  replaceMetadata(ctx: NovaCtx, id: string, body: unknown, merge: boolean): Record<string, string> {
    validateBody(metadataAllSchema, body);
    const server = this.metadataChange(ctx, id, 'update_metadata');
    const given = (body as { metadata: Record<string, string> }).metadata;
    const next = merge ? { ...server.metadata, ...given } : { ...given };
    this.servers.checkMetadataQuota(server.projectId, next);
    server.metadata = next;
    this.servers.touch(server);
    return { ...next };
  }

  getMetadataItem(ctx: NovaCtx, id: string, key: string): Record<string, string> {
    const server = this.servers.get(ctx, id);
    if (!Object.hasOwn(server.metadata, key)) throw new SimServiceError(404, 'Metadata item was not found');
    return { [key]: server.metadata[key] };
  }

  setMetadataItem(ctx: NovaCtx, id: string, key: string, body: unknown): Record<string, string> {
    if (typeof body === 'object' && body !== null && 'meta' in body) {
      const meta = (body as { meta: unknown }).meta;
      if (typeof meta === 'object' && meta !== null && Object.keys(meta).length > 1) {
        throw new SimServiceError(400, 'Request body contains too many items');
      }
    }
    validateBody(metadataItemSchema, body);
    const meta = (body as { meta: Record<string, string> }).meta;
    if (!Object.hasOwn(meta, key)) throw new SimServiceError(400, 'Request body and URI mismatch');
    const server = this.metadataChange(ctx, id, 'update_metadata');
    const next = { ...server.metadata, [key]: meta[key] };
    this.servers.checkMetadataQuota(server.projectId, next);
    server.metadata = next;
    this.servers.touch(server);
    return { [key]: meta[key] };
  }

  deleteMetadataItem(ctx: NovaCtx, id: string, key: string): void {
    const server = this.metadataChange(ctx, id, 'delete_metadata');
    if (!Object.hasOwn(server.metadata, key)) throw new SimServiceError(404, 'Metadata item was not found');
    delete server.metadata[key];
    this.servers.touch(server);
  }

  // ------------------------------------------------------------------------------------------
  // Tags (2.26)

  private tagChange(ctx: NovaCtx, id: string, action: string): Server {
    const server = this.servers.get(ctx, id);
    this.servers.checkLock(ctx, server);
    this.servers.checkState(server, action, TAG_STATES);
    return server;
  }

  replaceTags(ctx: NovaCtx, id: string, body: unknown): string[] {
    validateBody(tagsSchema, body);
    const tags = [...new Set((body as { tags: string[] }).tags)];
    if (tags.length > MAX_TAGS) throw new SimServiceError(400, `The number of tags exceeded the per-server limit ${MAX_TAGS}`);
    const server = this.tagChange(ctx, id, 'update tags');
    server.tags = tags;
    this.servers.touch(server);
    return [...tags];
  }

  clearTags(ctx: NovaCtx, id: string): void {
    const server = this.tagChange(ctx, id, 'delete tags');
    server.tags = [];
    this.servers.touch(server);
  }

  hasTag(ctx: NovaCtx, id: string, tag: string): void {
    const server = this.servers.get(ctx, id);
    if (!server.tags.includes(tag)) throw new SimServiceError(404, `Tag ${tag} could not be found.`);
  }

  /** Adds one tag; true when it was new (201), false when already present (204). */
  addTag(ctx: NovaCtx, id: string, tag: string): boolean {
    validateBody({ type: 'object', properties: { tag: serverTag } }, { tag });
    const server = this.tagChange(ctx, id, 'update tag');
    if (server.tags.includes(tag)) return false;
    if (server.tags.length >= MAX_TAGS) throw new SimServiceError(400, `The number of tags exceeded the per-server limit ${MAX_TAGS}`);
    server.tags.push(tag);
    this.servers.touch(server);
    return true;
  }

  deleteTag(ctx: NovaCtx, id: string, tag: string): void {
    const server = this.tagChange(ctx, id, 'delete tag');
    if (!server.tags.includes(tag)) throw new SimServiceError(404, `Tag ${tag} could not be found.`);
    server.tags = server.tags.filter((t) => t !== tag);
    this.servers.touch(server);
  }

  // ------------------------------------------------------------------------------------------
  // IPs

  ips(ctx: NovaCtx, id: string): Record<string, unknown> {
    return this.views.addresses(this.servers.get(ctx, id), false);
  }

  ipsOfNetwork(ctx: NovaCtx, id: string, network: string): Record<string, unknown> {
    const all = this.views.addresses(this.servers.get(ctx, id), false);
    if (!Object.hasOwn(all, network)) throw new SimServiceError(404, 'Instance is not a member of specified network');
    return { [network]: all[network] };
  }

  // ------------------------------------------------------------------------------------------
  // Instance actions

  listActions(ctx: NovaCtx, id: string, query: Query): { actions: InstanceAction[]; server: Server; full: boolean; limit: number } {
    const server = this.servers.getForActions(ctx, id);
    let actions = [...server.actions].sort((a, b) => b.startTime.getTime() - a.startTime.getTime() || server.actions.indexOf(b) - server.actions.indexOf(a));
    let limit = Infinity;
    if (ctx.version.ge('2.58')) {
      const since = qLast(query, 'changes-since');
      if (since !== undefined) {
        const t = parseIsoTime(since);
        if (!t) throw new SimServiceError(400, `Invalid input for query parameters changes-since. Value: ${since}. '${since}' is not a 'date-time'`);
        actions = actions.filter((a) => a.updatedAt.getTime() >= t.getTime());
      }
      const before = qLast(query, 'changes-before');
      if (before !== undefined && ctx.version.ge('2.66')) {
        const t = parseIsoTime(before);
        if (!t) throw new SimServiceError(400, `Invalid input for query parameters changes-before. Value: ${before}. '${before}' is not a 'date-time'`);
        actions = actions.filter((a) => a.updatedAt.getTime() <= t.getTime());
      }
      const marker = qLast(query, 'marker');
      if (marker !== undefined) {
        const i = actions.findIndex((a) => a.requestId === marker);
        if (i < 0) throw new SimServiceError(400, `Marker ${marker} could not be found.`);
        actions = actions.slice(i + 1);
      }
      const limitText = qLast(query, 'limit');
      if (limitText !== undefined) {
        if (!/^\d+$/.test(limitText)) {
          throw new SimServiceError(400, `Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' does not match '^[0-9]*$'`);
        }
        limit = Math.min(Number(limitText), 1000);
      }
    }
    const page = actions.slice(0, limit === Infinity ? undefined : limit);
    return { actions: page, server, full: limit !== Infinity && page.length > 0 && page.length === limit, limit };
  }

  getAction(ctx: NovaCtx, id: string, requestId: string): { action: InstanceAction; server: Server } {
    const server = this.servers.getForActions(ctx, id);
    const action = server.actions.find((a) => a.requestId === requestId);
    if (!action) throw new SimServiceError(404, `Action for request_id ${requestId} on instance ${id} not found`);
    return { action, server };
  }

  // ------------------------------------------------------------------------------------------
  // Interfaces

  interfaces(ctx: NovaCtx, id: string): Array<Record<string, unknown>> {
    const server = this.servers.get(ctx, id);
    return this.views.portsOf(server).map((p) => this.views.interfaceAttachment(ctx, p, this.tagOf(server, p.id)));
  }

  private tagOf(server: Server, portId: string): string | null {
    return server.ports.find((p) => p.portId === portId)?.tag ?? null;
  }

  getInterface(ctx: NovaCtx, id: string, portId: string): Record<string, unknown> {
    const server = this.servers.get(ctx, id);
    const port = this.servers.deps.neutron.getPort(portId);
    if (!port) throw new SimServiceError(404, `Port id ${portId} could not be found.`);
    if (port.device_id !== server.id) {
      throw new SimServiceError(404, `Instance ${server.id} does not have a port with id ${portId}`);
    }
    return this.views.interfaceAttachment(ctx, port, this.tagOf(server, portId));
  }

  attachInterface(ctx: NovaCtx, id: string, body: unknown): Record<string, unknown> {
    validateBody(interfaceAttachSchema(ctx.version), body);
    const req = (body as { interfaceAttachment?: Record<string, unknown> }).interfaceAttachment ?? {};
    const netId = req.net_id as string | undefined;
    const portId = req.port_id as string | undefined;
    const fixedIps = req.fixed_ips as Array<{ ip_address: string }> | undefined;
    const tag = typeof req.tag === 'string' ? req.tag : null;
    if (netId && portId) throw new SimServiceError(400, 'Must not input both network_id and port_id');
    if (fixedIps && !netId) throw new SimServiceError(400, 'Must input network_id when request IP address');
    const server = this.servers.get(ctx, id);
    this.servers.checkLock(ctx, server);
    this.servers.checkState(server, 'attach_interface', INTERFACE_STATES);
    const neutron = this.servers.deps.neutron;
    let port: SimPort;
    if (portId) {
      const existing = neutron.getPort(portId);
      if (!existing) throw new SimServiceError(404, `Port id ${portId} could not be found.`);
      if (existing.device_id) throw new SimServiceError(409, `Port ${portId} is still in use.`);
      port = this.servers.bindPort(server, portId);
      server.ports.push({ portId, createdByNova: false, tag });
    } else if (netId) {
      const net = neutron.getNetwork(netId);
      const owner = net?.project_id ?? net?.tenant_id;
      if (!net || (!ctx.caller.isAdmin && net.shared !== true && owner !== undefined && owner !== server.projectId)) {
        throw new SimServiceError(404, `Network ${netId} could not be found.`);
      }
      const ip = fixedIps?.[0]?.ip_address;
      if (ip && neutron.listPorts({ network_id: netId }).some((p) => p.fixed_ips.some((f) => f.ip_address === ip))) {
        throw new SimServiceError(409, `Fixed IP address ${ip} is already in use on instance ${server.id}.`);
      }
      try {
        port = this.servers.createPort(server, netId, ip);
      } catch (e) {
        if (e instanceof SimServiceError && e.status === 400 && e.message.startsWith('Network ')) {
          throw new SimServiceError(404, e.message);
        }
        throw e;
      }
      server.ports.push({ portId: port.id, createdByNova: true, tag });
    } else {
      throw new SimServiceError(409, 'Multiple possible networks found, use a Network ID to be more specific.');
    }
    this.servers.touch(server);
    this.servers.finishAction(this.servers.startAction(ctx, server, 'attach_interface', 'compute_attach_interface'));
    return this.views.interfaceAttachment(ctx, port, tag);
  }

  detachInterface(ctx: NovaCtx, id: string, portId: string): void {
    const server = this.servers.get(ctx, id);
    this.servers.checkLock(ctx, server);
    this.servers.checkState(server, 'detach_interface', INTERFACE_STATES);
    const port = this.servers.deps.neutron.getPort(portId);
    if (!port || port.device_id !== server.id) throw new SimServiceError(404, `Port ${portId} is not attached`);
    const rec = this.servers.startAction(ctx, server, 'detach_interface', 'compute_detach_interface');
    const ref = server.ports.find((p) => p.portId === portId) ?? { portId, createdByNova: false, tag: null };
    this.servers.releasePort(ref);
    server.ports = server.ports.filter((p) => p.portId !== portId);
    this.servers.touch(server);
    this.servers.finishAction(rec);
  }

  // ------------------------------------------------------------------------------------------
  // Volume attachments

  volumeAttachments(ctx: NovaCtx, id: string, query: Query): Array<Record<string, unknown>> {
    const server = this.servers.get(ctx, id);
    let list = server.volumes;
    const offset = Number(qLast(query, 'offset') ?? 0) || 0;
    const limitText = qLast(query, 'limit');
    list = list.slice(offset, limitText !== undefined && /^\d+$/.test(limitText) ? offset + Number(limitText) : undefined);
    return list.map((a) => this.views.volumeAttachment(ctx, server, a));
  }

  private attachmentOf(server: Server, volumeId: string): ServerVolume {
    const att = server.volumes.find((v) => v.volumeId === volumeId);
    if (!att) throw new SimServiceError(404, `Volume ${volumeId} is not attached to the instance ${server.id}`);
    return att;
  }

  getVolumeAttachment(ctx: NovaCtx, id: string, volumeId: string): Record<string, unknown> {
    const server = this.servers.get(ctx, id);
    return this.views.volumeAttachment(ctx, server, this.attachmentOf(server, volumeId));
  }

  attachVolume(ctx: NovaCtx, id: string, body: unknown): Record<string, unknown> {
    validateBody(volumeAttachSchema(ctx.version), body);
    const req = (body as { volumeAttachment: Record<string, unknown> }).volumeAttachment;
    const volumeId = String(req.volumeId);
    const server = this.servers.get(ctx, id);
    this.servers.checkLock(ctx, server);
    this.servers.checkState(server, 'attach_volume', VOLUME_STATES);
    this.servers.volumeFor(ctx, volumeId);
    if (server.volumes.some((v) => v.volumeId === volumeId)) {
      throw new SimServiceError(400, `Invalid volume: volume ${volumeId} already attached`);
    }
    const device = typeof req.device === 'string' && !server.volumes.some((v) => v.device === req.device) ? req.device : this.servers.nextDevice(server);
    const rec = this.servers.startAction(ctx, server, 'attach_volume', 'compute_attach_volume');
    let att: ServerVolume;
    try {
      att = this.servers.attachVolume(server, volumeId, device, {
        tag: typeof req.tag === 'string' ? req.tag : null,
        deleteOnTermination: req.delete_on_termination !== undefined && truthy(req.delete_on_termination),
      });
    } catch (e) {
      this.servers.finishAction(rec, 'Error');
      if (e instanceof SimServiceError && e.status === 409) throw new SimServiceError(400, e.message);
      throw e;
    }
    this.servers.touch(server);
    this.servers.finishAction(rec);
    return this.views.volumeAttachment(ctx, server, att, true);
  }

  updateVolumeAttachment(ctx: NovaCtx, id: string, volumeId: string, body: unknown): void {
    validateBody(volumeUpdateSchema(ctx.version), body);
    const req = (body as { volumeAttachment: Record<string, unknown> }).volumeAttachment;
    const server = this.servers.get(ctx, id);
    const att = this.attachmentOf(server, volumeId);
    const newVolumeId = String(req.volumeId);
    if (newVolumeId === volumeId) {
      if (ctx.version.lt('2.85')) throw new SimServiceError(400, 'The volume attachment can only be updated from microversion 2.85.');
      for (const k of ['device', 'id', 'serverId', 'tag'] as const) {
        if (k in req && req[k] !== ({ device: att.device, id: att.volumeId, serverId: server.id, tag: att.tag } as Record<string, unknown>)[k]) {
          throw new SimServiceError(400, `Updating '${k}' is not supported.`);
        }
      }
      if ('delete_on_termination' in req) att.deleteOnTermination = truthy(req.delete_on_termination);
      this.servers.touch(server);
      return;
    }
    if (!ctx.caller.isAdmin) {
      throw new SimServiceError(403, "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed.");
    }
    this.servers.checkState(server, 'swap_volume', ['active', 'paused', 'resized']);
    this.servers.volumeFor(ctx, newVolumeId);
    const device = att.device;
    const rec = this.servers.startAction(ctx, server, 'swap_volume', 'compute_swap_volume');
    this.servers.attachVolume(server, newVolumeId, device, { tag: att.tag, deleteOnTermination: att.deleteOnTermination, bootIndex: att.bootIndex });
    this.servers.detachVolume(server, att);
    this.servers.finishAction(rec);
  }

  detachVolume(ctx: NovaCtx, id: string, volumeId: string): void {
    const server = this.servers.get(ctx, id);
    this.servers.checkLock(ctx, server);
    this.servers.checkState(server, 'detach_volume', VOLUME_STATES);
    this.servers.volumeFor(ctx, volumeId);
    const att = this.attachmentOf(server, volumeId);
    if (att.bootIndex === 0) throw new SimServiceError(400, 'Cannot detach a root device volume');
    const rec = this.servers.startAction(ctx, server, 'detach_volume', 'compute_detach_volume');
    this.servers.detachVolume(server, att);
    this.servers.touch(server);
    this.servers.finishAction(rec);
  }
}
