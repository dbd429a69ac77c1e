/**
 * Images across pods (`[images] mode`): in copy mode the top region's Glance is the source of truth
 * and a boot copies a missing image into its pod's Glance first, through an `image_copy` job.
 */
import type { PodClientFactory } from '../bottom/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../common/index.js';
import type { PodRegistry } from '../pods/index.js';
import type { JobHandlers, JobService } from '../xjob/index.js';
import { ImageCopier } from './copier.js';
import { imageCopyJobHandlers } from './job.js';
import { imageCopySettings } from './settings.js';

export { ImageCopier } from './copier.js';
export { IMAGE_COPY_JOB } from './job.js';
export { imageCopySettings, type ImageCopySettings } from './settings.js';

export interface ImageCopyModule {
  copier: ImageCopier;
  jobHandlers: JobHandlers;
}

export function createImageCopy(core: { config: Config; logger: Logger; pods: PodRegistry; podClients: PodClientFactory; jobs: JobService }): ImageCopyModule {
  const settings = imageCopySettings(core.config);
  const logger = core.logger.child({ component: 'imagecopy' });
  return {
    copier: new ImageCopier({ pods: core.pods, clients: core.podClients, jobs: core.jobs, settings, logger }),
    jobHandlers: imageCopyJobHandlers({ pods: core.pods, clients: core.podClients, transferTimeoutMs: core.config.client.pod_timeout * 1000, logger }),
  };
}
