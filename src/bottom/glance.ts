import { BottomError } from './errors.js';
import { ServiceApi, seg } from './serviceApi.js';
import type { Readable } from 'node:stream';
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

  /** `POST /images`: an image record (no data yet), with the id and attributes given. */
  async createImage(ctx: BottomCallContext, fields: JsonObject, opts?: CallOptions): Promise<BottomImage> {
    const image = await this.call<BottomImage | undefined>(ctx, 'POST', '/images', fields, opts);
    if (!image || typeof image !== 'object') {
      throw new BottomError(this.http.pod.regionName, 'image', 502, `Pod ${this.http.pod.regionName} answered POST /images without an image.`, undefined, image);
    }
    return image;
  }

  async deleteImage(ctx: BottomCallContext, id: string, opts?: CallOptions): Promise<void> {
    await this.remove(ctx, `/images/${seg(id)}`, opts);
  }

  /** `GET /images/{id}/file` as a stream (the caller consumes or destroys it). */
  async downloadImage(ctx: BottomCallContext, id: string, opts?: Omit<CallOptions, 'microversion'>): Promise<Readable> {
    const res = await this.http.stream(ctx, { ...opts, method: 'GET', path: `/images/${seg(id)}/file` });
    if (res.status === 200) return res.body;
    const body = await drain(res.body);
    throw this.http.error(res.status === 204 ? 409 : res.status, body, res.headers);
  }

  /** `PUT /images/{id}/file` from a stream. */
  async uploadImage(ctx: BottomCallContext, id: string, data: Readable, opts?: Omit<CallOptions, 'microversion'>): Promise<void> {
    const res = await this.http.stream(ctx, {
      ...opts,
      method: 'PUT',
      path: `/images/${seg(id)}/file`,
      headers: { ...opts?.headers, 'content-type': 'application/octet-stream' },
      body: data,
    });
    const body = await drain(res.body);
    if (res.status >= 300) throw this.http.error(res.status, body, res.headers);
  }
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
