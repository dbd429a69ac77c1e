import { ServiceApi, seg } from './serviceApi.js';
import type { BottomCallContext, CallOptions, JsonObject, Query } from './types.js';

export type BottomVolume = JsonObject & { id: string; name?: string | null; status?: string; size?: number; availability_zone?: string; links?: JsonObject[] };

/** A pod's Cinder (v3, project in the URL). */
export class CinderApi extends ServiceApi {
  createVolume(ctx: BottomCallContext, volume: JsonObject, opts?: CallOptions): Promise<BottomVolume> {
    return this.one(ctx, 'POST', '/volumes', 'volume', { volume }, opts);
  }
  getVolume(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomVolume> {
    return this.one(ctx, 'GET', `/volumes/${seg(id)}`, 'volume', undefined, opts);
  }
  /** `/volumes/detail` unless `detail: false`. */
  listVolumes(ctx: BottomCallContext, query?: Query, opts: CallOptions & { detail?: boolean } = {}): Promise<BottomVolume[]> {
    const { detail = true, ...rest } = opts;
    return this.listOf(ctx, detail ? '/volumes/detail' : '/volumes', 'volumes', query, rest);
  }
  deleteVolume(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    return this.remove(ctx, `/volumes/${seg(id)}`, opts);
  }
  /** `action` is the whole action body, e.g. `{ "os-extend": { "new_size": 2 } }`. */
  volumeAction<T = JsonObject | undefined>(ctx: BottomCallContext, id: string, action: JsonObject, opts?: CallOptions): Promise<T> {
    return this.call(ctx, 'POST', `/volumes/${seg(id)}/action`, action, opts);
  }
}
