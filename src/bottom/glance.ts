import { BottomError } from './errors.js';
import { ServiceApi, seg } from './serviceApi.js';
import type { BottomCallContext, CallOptions, JsonObject, Query } from './types.js';

export type BottomImage = JsonObject & { id: string; name?: string | null; status?: string; visibility?: string };

/** A pod's Glance (v2: images are not wrapped in a key). */
export class GlanceApi extends ServiceApi {
  async getImage(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<BottomImage> {
    const image = await this.call<BottomImage | undefined>(ctx, 'GET', `/images/${seg(id)}`, undefined, opts);
    if (!image || typeof image !== 'object') {
      throw new BottomError(this.http.pod.regionName, 'image', 502, `Pod ${this.http.pod.regionName} answered GET /images/${id} without an image.`, undefined, image);
    }
    return image;
  }
  /** One page; Glance's `next` link (if any) is in `next`. */
  async listImages(ctx: BottomCallContext, query?: Query, opts?: CallOptions): Promise<{ images: BottomImage[]; next?: string }> {
    const body = await this.http.json<JsonObject | undefined>(ctx, 'GET', '/images', { ...opts, query });
    const images = body?.images;
    if (!Array.isArray(images)) {
      throw new BottomError(this.http.pod.regionName, 'image', 502, `Pod ${this.http.pod.regionName} answered GET /images without "images".`, undefined, body);
    }
    return { images: images as BottomImage[], ...(typeof body?.next === 'string' ? { next: body.next } : {}) };
  }
}
