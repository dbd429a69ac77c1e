import { PermanentJobError, type JobHandlers } from '../xjob/index.js';
import { copyImageToPod, ImageCopyRefused, type ImageCopyDeps } from './copy.js';

export const IMAGE_COPY_JOB = 'image_copy';

/** `image_copy`: one image of the top region's Glance into one pod's Glance (copy mode). */
export function imageCopyJobHandlers(deps: ImageCopyDeps): JobHandlers {
  return {
    [IMAGE_COPY_JOB]: {
      resourceSchema: ['pod_id', 'image_id'],
      description: "Copy an image of the top region's Glance into a pod's Glance, same id and properties (images.mode = copy)",
      async run(job, ctx) {
        try {
          const outcome = await copyImageToPod({ ...deps, logger: ctx.logger }, job.resource.pod_id, job.resource.image_id, ctx.signal);
          ctx.logger.debug({ outcome, pod: job.resource.pod_id, image: job.resource.image_id }, 'image copy job done');
        } catch (err) {
          if (err instanceof ImageCopyRefused) throw new PermanentJobError(err.message);
          throw err;
        }
      },
    },
  };
}
