import { setTimeout as sleep } from 'node:timers/promises';
import { isBottomNotFound, type BottomCallContext, type PodClientFactory } from '../bottom/index.js';
import { badRequest, ExpiringLru, serviceUnavailable, type Logger } from '../common/index.js';
import type { Pod, PodRegistry } from '../pods/index.js';
import type { JobService } from '../xjob/index.js';
import { topPodOf } from './copy.js';
import { IMAGE_COPY_JOB } from './job.js';
import type { ImageCopySettings } from './settings.js';

export interface ImageCopierDeps {
  pods: Pick<PodRegistry, 'list'>;
  clients: Pick<PodClientFactory, 'glance'>;
  jobs: Pick<JobService, 'submit' | 'store'>;
  settings: ImageCopySettings;
  logger: Logger;
}

/** How long a pod is known to hold an image without asking its Glance again. */
const PRESENT_TTL_MS = 60_000;

/**
 * The boot side of copy mode: before a boot is sent to a pod, make sure the pod's Glance has the
 * image. A missing image is copied by an `image_copy` job (so the copy is visible, retried and
 * shared by every process); concurrent boots of one image into one pod wait for one copy.
 */
export class ImageCopier {
  private readonly present = new ExpiringLru<true>(10_000);
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly deps: ImageCopierDeps) {}

  get enabled(): boolean {
    return this.deps.settings.mode === 'copy';
  }

  /**
   * Resolves once the pod's Glance has the image. The caller must be able to see the image in the
   * top region's Glance (400 "Can not find requested image" otherwise, as Nova answers); a copy that
   * fails or outlasts `[images] copy_wait` is a 503.
   */
  async ensureInPod(ctx: BottomCallContext, pod: Pod, imageRef: unknown): Promise<void> {
    if (!this.enabled || typeof imageRef !== 'string' || imageRef === '') return;
    const imageId = lastSegment(imageRef);
    const key = `${pod.id}#${imageId}`;
    if (this.present.get(key)) return;
    await this.checkVisible(ctx, imageId);
    let copy = this.inFlight.get(key);
    if (!copy) {
      copy = this.bring(ctx, pod, imageId).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, copy);
    }
    await copy;
    this.present.set(key, true, Date.now() + PRESENT_TTL_MS);
  }

  private async checkVisible(ctx: BottomCallContext, imageId: string): Promise<void> {
    const top = await topPodOf(this.deps.pods);
    if (!top) throw serviceUnavailable('No top region is registered: the image service cannot be found.');
    try {
      const image = await this.deps.clients.glance(top).getImage(ctx, imageId);
      if (image.status !== 'active') throw badRequest(`Image ${imageId} is not active.`);
    } catch (err) {
      if (isBottomNotFound(err)) throw badRequest('Can not find requested image');
      throw err;
    }
  }

  private async bring(ctx: BottomCallContext, pod: Pod, imageId: string): Promise<void> {
    try {
      const copy = await this.deps.clients.glance(pod).getImage(ctx, imageId, { asAdmin: true });
      if (copy.status === 'active') return;
    } catch (err) {
      if (!isBottomNotFound(err)) throw err;
    }
    const projectId = (ctx as { projectId?: string }).projectId ?? '';
    const jobId = await this.deps.jobs.submit({ type: IMAGE_COPY_JOB, projectId, resource: { pod_id: pod.id, image_id: imageId } });
    this.deps.logger.info({ pod: pod.regionName, image: imageId, job: jobId }, 'copying an image into a pod before a boot');
    const deadline = Date.now() + this.deps.settings.copyWaitMs;
    for (let pause = 100; ; pause = Math.min(pause * 2, 2000)) {
      const job = await this.deps.jobs.store.find(jobId);
      if (job?.status === 'SUCCESS') return;
      if (job?.status === 'FAIL') {
        throw serviceUnavailable(`Image ${imageId} could not be copied to ${pod.regionName}: ${job.lastError ?? 'the copy job failed'}`);
      }
      if (Date.now() + pause > deadline) {
        throw serviceUnavailable(`Image ${imageId} is still being copied to ${pod.regionName} (job ${jobId}); boot again once the job is done.`);
      }
      await sleep(pause);
    }
  }
}

/** The id in an image reference, which may be a URL (as `imageRef` may be). */
function lastSegment(ref: string): string {
  const parts = ref.split('/').filter((p) => p !== '');
  return parts.length > 0 ? parts[parts.length - 1] : ref;
}
