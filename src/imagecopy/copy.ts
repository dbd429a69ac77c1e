import { randomUUID } from 'node:crypto';
import { type BottomCallContext, type BottomImage, type GlanceApi, type PodClientFactory, isBottomNotFound } from '../bottom/index.js';
import type { Logger } from '../common/index.js';
import { isTopPod, type Pod, type PodRegistry } from '../pods/index.js';

/** Glance attributes the server sets: never sent when the image record is made in a pod. */
const SERVER_SET = new Set([
  'id',
  'status',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'created_at',
  'updated_at',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
  'stores',
]);

/** A copy that cannot succeed by trying again (the job is failed at once). */
export class ImageCopyRefused extends Error {
  override name = 'ImageCopyRefused';
}

/** What a copy needs: the pods and their Glance clients. */
export interface ImageCopyDeps {
  pods: Pick<PodRegistry, 'list' | 'find'>;
  clients: Pick<PodClientFactory, 'glance'>;
  /** Bounds the wait for headers and each pause of the image data, in ms. */
  transferTimeoutMs: number;
  logger: Logger;
}

export async function topPodOf(pods: Pick<PodRegistry, 'list'>): Promise<Pod | undefined> {
  return (await pods.list()).find(isTopPod);
}

/** The attributes a pod's copy of an image is created with: the source's, minus what Glance sets. */
export function copyAttributes(source: BottomImage): Record<string, unknown> {
  const fields: Record<string, unknown> = { id: source.id };
  for (const [key, value] of Object.entries(source)) {
    if (SERVER_SET.has(key) || key.startsWith('os_glance_')) continue;
    fields[key] = value;
  }
  return fields;
}

const sameData = (a: BottomImage, b: BottomImage): boolean =>
  a.os_hash_value && b.os_hash_value ? a.os_hash_algo === b.os_hash_algo && a.os_hash_value === b.os_hash_value : a.checksum === b.checksum && a.size === b.size;

/**
 * Brings one image of the top region's Glance into a pod's Glance under the same id: the record
 * with the source's attributes, then the data streamed from one Glance to the other. Idempotent: an
 * active copy with the same data is left alone; a copy whose upload died is uploaded again.
 */
export async function copyImageToPod(deps: ImageCopyDeps, podId: string, imageId: string, signal?: AbortSignal): Promise<'copied' | 'present' | 'pod-gone'> {
  const pod = await deps.pods.find(podId);
  if (!pod) return 'pod-gone';
  const top = await topPodOf(deps.pods);
  if (!top) throw new Error('No top region is registered: there is no Glance to copy images from.');
  const ctx: BottomCallContext = { requestId: `req-${randomUUID()}` };
  const opts = { asAdmin: true, timeoutMs: deps.transferTimeoutMs };
  const source = deps.clients.glance(top);
  const target = deps.clients.glance(pod);

  let original: BottomImage;
  try {
    original = await source.getImage(ctx, imageId, opts);
  } catch (err) {
    if (isBottomNotFound(err)) throw new ImageCopyRefused(`Image ${imageId} is not in the top region's Glance.`);
    throw err;
  }
  if (original.status !== 'active') throw new ImageCopyRefused(`Image ${imageId} is ${original.status ?? 'not active'} in the top region's Glance.`);

  let copy = await findImage(target, ctx, imageId);
  if (copy?.status === 'active') {
    if (sameData(copy, original)) return 'present';
    throw new ImageCopyRefused(`Pod ${pod.regionName} has another image under the id ${imageId}: remove it from the pod's Glance, then redo the job.`);
  }
  if (copy && copy.status !== 'queued') {
    if (copy.status === 'saving' || copy.status === 'importing') throw new Error(`Image ${imageId} is being uploaded to pod ${pod.regionName}; trying again later.`);
    throw new ImageCopyRefused(`Image ${imageId} is ${copy.status} in pod ${pod.regionName}.`);
  }
  if (!copy) {
    try {
      copy = await target.createImage(ctx, copyAttributes(original), opts);
    } catch (err) {
      // Another worker made the record a moment ago: upload into it (or find it already done).
      if ((err as { status?: number }).status !== 409) throw err;
      return copyImageToPod(deps, podId, imageId, signal);
    }
  }
  if (signal?.aborted) throw new Error('stopped before the upload');

  const started = Date.now();
  const data = await source.downloadImage(ctx, imageId, opts);
  try {
    await target.uploadImage(ctx, imageId, data, opts);
  } finally {
    data.destroy();
  }
  const done = await target.getImage(ctx, imageId, opts);
  if (done.status !== 'active' || !sameData(done, original)) {
    await target.deleteImage(ctx, imageId, opts).catch(() => undefined);
    throw new Error(`The copy of image ${imageId} in pod ${pod.regionName} does not match the source (status ${done.status}); it was removed and will be made again.`);
  }
  deps.logger.info({ pod: pod.regionName, image: imageId, bytes: done.size, ms: Date.now() - started }, 'image copied into pod');
  return 'copied';
}

async function findImage(glance: GlanceApi, ctx: BottomCallContext, id: string): Promise<BottomImage | undefined> {
  try {
    return await glance.getImage(ctx, id, { asAdmin: true });
  } catch (err) {
    if (isBottomNotFound(err)) return undefined;
    throw err;
  }
}
