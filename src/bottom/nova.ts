import { ServiceApi, seg } from './serviceApi.js';
import type { BottomCallContext, CallOptions, JsonObject, Query } from './types.js';

export type BottomServer = JsonObject & { id: string; name?: string; status?: string; tenant_id?: string; links?: JsonObject[] };
export type BottomFlavor = JsonObject & { id: string; name: string; ram: number; vcpus: number; disk: number };
export type BottomKeypair = JsonObject & { name: string; public_key: string; fingerprint?: string; type?: string };
export type BottomVolumeAttachment = JsonObject & { id?: string; volumeId: string; serverId: string; device?: string | null };

/** A pod's Nova (v2.1). Pass `microversion` in the call options to speak a newer one. */
export class NovaApi extends ServiceApi {
  /** The create answer (id, links, adminPass, security_groups); `schedulerHints` go beside `server`. */
  createServer(ctx: BottomCallContext, server: JsonObject, opts: CallOptions & { schedulerHints?: JsonObject } = {}): Promise<BottomServer> {
    const { schedulerHints, ...rest } = opts;
    const body = schedulerHints ? { server, 'os:scheduler_hints': schedulerHints } : { server };
    return this.one(ctx, 'POST', '/servers', 'server', body, rest);
  }
  getServer(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomServer> {
    return this.one(ctx, 'GET', `/servers/${seg(id)}`, 'server', undefined, opts);
  }
  /** `/servers/detail` unless `detail: false`. */
  listServers(ctx: BottomCallContext, query?: Query, opts: CallOptions & { detail?: boolean } = {}): Promise<BottomServer[]> {
    const { detail = true, ...rest } = opts;
    return this.listOf(ctx, detail ? '/servers/detail' : '/servers', 'servers', query, rest);
  }
  deleteServer(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/servers/${seg(id)}`, opts);
  }
  /** `action` is the whole action body, e.g. `{ "os-stop": null }`; the answer is the pod's (often empty). */
  serverAction<T = JsonObject | undefined>(ctx: BottomCallContext, id: string, action: JsonObject, opts?: CallOptions): Promise<T> {
    return this.call(ctx, 'POST', `/servers/${seg(id)}/action`, action, opts);
  }

  /** `/flavors/detail` unless `detail: false`. */
  listFlavors(ctx: BottomCallContext, query?: Query, opts: CallOptions & { detail?: boolean } = {}): Promise<BottomFlavor[]> {
    const { detail = true, ...rest } = opts;
    return this.listOf(ctx, detail ? '/flavors/detail' : '/flavors', 'flavors', query, rest);
  }
  getFlavor(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomFlavor> {
    return this.one(ctx, 'GET', `/flavors/${seg(id)}`, 'flavor', undefined, opts);
  }
  /** Needs admin rights in the pod (`asAdmin: true`). */
  createFlavor(ctx: BottomCallContext, flavor: JsonObject, opts?: CallOptions): Promise<BottomFlavor> {
    return this.one(ctx, 'POST', '/flavors', 'flavor', { flavor }, opts);
  }

  getKeypair(ctx: BottomCallContext, name: string, opts?: CallOptions): Promise<BottomKeypair> {
    return this.one(ctx, 'GET', `/os-keypairs/${seg(name)}`, 'keypair', undefined, opts);
  }
  createKeypair(ctx: BottomCallContext, keypair: JsonObject, opts?: CallOptions): Promise<BottomKeypair> {
    return this.one(ctx, 'POST', '/os-keypairs', 'keypair', { keypair }, opts);
  }

  listVolumeAttachments(ctx: BottomCallContext, serverId: string, query?: Query, opts?: CallOptions): Promise<BottomVolumeAttachment[]> {
    return this.listOf(ctx, `/servers/${seg(serverId)}/os-volume_attachments`, 'volumeAttachments', query, opts);
  }
  getVolumeAttachment(ctx: BottomCallContext, serverId: string, volumeId: string, opts?: CallOptions): Promise<BottomVolumeAttachment> {
    return this.one(ctx, 'GET', `/servers/${seg(serverId)}/os-volume_attachments/${seg(volumeId)}`, 'volumeAttachment', undefined, opts);
  }
  /** `attachment` is `{ volumeId, device? ... }`. */
  attachVolume(ctx: BottomCallContext, serverId: string, attachment: JsonObject, opts?: CallOptions): Promise<BottomVolumeAttachment> {
    return this.one(ctx, 'POST', `/servers/${seg(serverId)}/os-volume_attachments`, 'volumeAttachment', { volumeAttachment: attachment }, opts);
  }
  detachVolume(ctx: BottomCallContext, serverId: string, volumeId: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/servers/${seg(serverId)}/os-volume_attachments/${seg(volumeId)}`, opts);
  }
}
