import { isJsonObject, badRequest, notFound, serviceUnavailable } from '../common/index.js';
import type { BottomImage, GlanceApi, PodClientFactory } from '../bottom/index.js';
import type { PodRef } from '../identity/index.js';
import { BottomError, isBottomNotFound } from '../bottom/index.js';
import { qLast, type NovaCall } from './call.js';
import { linkPair, nextLink } from './links.js';
import type { PodDirectory } from './podDirectory.js';
import { Type, type Static } from '../gateway/index.js';
import { metadataMap } from './parameters.js';

/** `POST`/`PUT /images/{id}/metadata`. */
export const ImageMetadata = Type.Object({ metadata: metadataMap }, { additionalProperties: false });
/** `PUT /images/{id}/metadata/{key}`. */
export const ImageMetadataItem = Type.Object({ meta: metadataMap }, { additionalProperties: false });

type Json = Record<string, unknown>;

/** Glance attributes that are not image properties (Nova's `metadata`). */
const CORE = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'owner',
  'size',
  'virtual_size',
  'min_ram',
  'min_disk',
  'created_at',
  'updated_at',
  'tags',
  'disk_format',
  'container_format',
  'file',
  'schema',
  'self',
  'direct_url',
  'locations',
  'os_hidden',
  'stores',
]);

const STATUS: Record<string, [string, number]> = {
  active: ['ACTIVE', 100],
  queued: ['SAVING', 25],
  saving: ['SAVING', 50],
  importing: ['SAVING', 50],
  uploading: ['SAVING', 50],
  deleted: ['DELETED', 0],
  pending_delete: ['DELETED', 0],
  killed: ['ERROR', 0],
};

const withZ = (t: unknown) => (typeof t === 'string' ? t.replace(/\.\d+/, '').replace(/(Z|[+-]\d\d:?\d\d)?$/, 'Z') : null);

/**
 * Nova's image proxy (`/images`, removed at 2.36) over the top region's Glance, which the pods
 * share. Answers are Nova-shaped, with links to the gateway and an `alternate` link to Glance.
 */
export class ImageService {
  constructor(
    private readonly pods: PodDirectory,
    private readonly clients: PodClientFactory,
    /** The image service's public URL in a region (from the catalog). */
    private readonly imageUrl: (pod: PodRef) => Promise<string>,
  ) {}

  private async glance() {
    const pod = (await this.pods.top()) ?? (await this.pods.bottom())[0];
    if (!pod) throw serviceUnavailable('No region is registered: the image service cannot be found.');
    return this.clients.glance(pod);
  }

  private view(call: NovaCall, img: BottomImage, detail: boolean, glanceUrl: string): Json {
    const links = [...linkPair(call.links, 'images', img.id), { href: `${glanceUrl}/images/${img.id}`, rel: 'alternate', type: 'application/vnd.openstack.image' }];
    const out: Json = { id: img.id, name: img.name ?? null, links };
    if (!detail) return out;
    const [status, progress] = STATUS[String(img.status)] ?? ['UNKNOWN', 0];
    const metadata: Json = {};
    for (const [k, v] of Object.entries(img)) if (!CORE.has(k)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
    Object.assign(out, {
      'OS-EXT-IMG-SIZE:size': img.size ?? null,
      created: withZ(img.created_at),
      minDisk: Number(img.min_disk ?? 0),
      minRam: Number(img.min_ram ?? 0),
      metadata,
      progress,
      status,
      updated: withZ(img.updated_at),
    });
    if (typeof img.instance_uuid === 'string') {
      out.server = { id: img.instance_uuid, links: linkPair(call.links, 'servers', img.instance_uuid) };
    }
    return out;
  }

  async list(call: NovaCall, detail: boolean, maxLimit: number): Promise<Json> {
    const glance = await this.glance();
    const q = call.query;
    const query: Record<string, string> = {};
    const name = qLast(q, 'name');
    if (name !== undefined) query.name = name;
    const status = qLast(q, 'status');
    if (status !== undefined) query.status = status.toLowerCase();
    const since = qLast(q, 'changes-since');
    if (since !== undefined) query.updated_at = `gte:${since}`;
    const server = qLast(q, 'server');
    // Nova takes the id from the end of the server's link (`.../servers/<id>`) and accepts a bare id.
    if (server !== undefined) query.instance_uuid = server.replace(/\/+$/, '').split('/').pop() ?? server;
    const type = qLast(q, 'type');
    if (type !== undefined) query.image_type = type;
    const limitText = qLast(q, 'limit');
    let limit = maxLimit;
    if (limitText !== undefined) {
      if (!/^\d+$/.test(limitText)) throw badRequest('limit param must be an integer');
      limit = Math.min(Number(limitText), maxLimit);
    }
    query.limit = String(limit);
    const marker = qLast(q, 'marker');
    if (marker !== undefined) query.marker = marker;
    const minRam = Number(qLast(q, 'minRam') ?? 0);
    const minDisk = Number(qLast(q, 'minDisk') ?? 0);
    let page: BottomImage[];
    try {
      page = (await glance.listImages(call.ctx, query)).images;
    } catch (err) {
      if (err instanceof BottomError && err.status === 400 && marker !== undefined) throw badRequest(`marker [${marker}] not found`);
      throw err;
    }
    const glanceUrl = await this.glanceRoot(glance);
    const images = page.filter((i) => Number(i.min_ram ?? 0) >= minRam && Number(i.min_disk ?? 0) >= minDisk);
    const body: Json = { images: images.map((i) => this.view(call, i, detail, glanceUrl)) };
    if (page.length === limit && page.length > 0) {
      body.images_links = [{ href: nextLink(`${call.links.versioned}/images${detail ? '/detail' : ''}`, call.rawQuery, page[page.length - 1].id), rel: 'next' }];
    }
    return body;
  }

  private async fetch(call: NovaCall, id: string): Promise<BottomImage> {
    const glance = await this.glance();
    try {
      return await glance.getImage(call.ctx, id);
    } catch (err) {
      if (isBottomNotFound(err)) throw notFound('Image not found.');
      throw err;
    }
  }

  async get(call: NovaCall, id: string): Promise<Json> {
    const glance = await this.glance();
    return this.view(call, await this.fetch(call, id), true, await this.glanceRoot(glance));
  }

  async delete(call: NovaCall, id: string): Promise<void> {
    const glance = await this.glance();
    const res = await glance.http.request(call.ctx, { method: 'DELETE', path: `/images/${encodeURIComponent(id)}` });
    if (res.status === 404) throw notFound('Image not found.');
    if (res.status >= 400) throw glance.http.error(res.status, res.body, res.headers);
  }

  async metadata(call: NovaCall, id: string): Promise<Json> {
    const { metadata } = this.view(call, await this.fetch(call, id), true, '');
    return isJsonObject(metadata) ? metadata : {};
  }

  async metadataItem(call: NovaCall, id: string, key: string): Promise<Json> {
    const meta = await this.metadata(call, id);
    if (!(key in meta)) throw notFound('Image not found.');
    return { [key]: meta[key] };
  }

  /** POST (merge) or PUT (replace) of the image's properties. */
  async setMetadata(call: NovaCall<Static<typeof ImageMetadata>>, id: string, replace: boolean): Promise<Json> {
    const given = call.body.metadata;
    const current = await this.metadata(call, id);
    const ops: Json[] = [];
    if (replace) for (const k of Object.keys(current)) if (!(k in given)) ops.push({ op: 'remove', path: `/${k}` });
    for (const [k, v] of Object.entries(given)) ops.push({ op: k in current ? 'replace' : 'add', path: `/${k}`, value: v });
    await this.patch(call, id, ops);
    return this.metadata(call, id);
  }

  async setMetadataItem(call: NovaCall<Static<typeof ImageMetadataItem>>, id: string, key: string): Promise<Json> {
    const meta = call.body.meta;
    if (Object.keys(meta).length !== 1) throw badRequest('Request body contains too many items');
    if (!(key in meta)) throw badRequest('Request body and URI mismatch');
    const current = await this.metadata(call, id);
    await this.patch(call, id, [{ op: key in current ? 'replace' : 'add', path: `/${key}`, value: meta[key] }]);
    return { [key]: meta[key] };
  }

  async deleteMetadataItem(call: NovaCall, id: string, key: string): Promise<void> {
    const current = await this.metadata(call, id);
    if (!(key in current)) throw notFound('Image not found.');
    await this.patch(call, id, [{ op: 'remove', path: `/${key}` }]);
  }

  private async patch(call: NovaCall, id: string, ops: Json[]): Promise<void> {
    if (ops.length === 0) return;
    const glance = await this.glance();
    const res = await glance.http.request(call.ctx, {
      method: 'PATCH',
      path: `/images/${encodeURIComponent(id)}`,
      body: JSON.stringify(ops),
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
    if (res.status === 404) throw notFound('Image not found.');
    if (res.status >= 400) throw glance.http.error(res.status, res.body, res.headers);
  }

  private async glanceRoot(glance: GlanceApi): Promise<string> {
    try {
      return (await this.imageUrl(glance.http.pod)).replace(/\/+$/, '').replace(/\/v2$/, '');
    } catch {
      return '';
    }
  }
}
