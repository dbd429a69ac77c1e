import type { BottomCallContext, BottomImage, GlanceApi } from '../bottom/index.js';
import { isBottomNotFound } from '../bottom/index.js';
import { fail, messageOf, pass, warn, type CheckResult } from './report.js';

const CHECK = 'images';
const PAGE = 200;
const PARALLEL = 8;
const NAMED = 5;

/**
 * Every active image of the top region's Glance is visible in the pod's Glance under the same id:
 * a boot forwards `imageRef` unchanged. A pod that uses the top's Glance passes at once.
 */
export async function checkImages(
  top: { glance: GlanceApi; url: string },
  pod: { glance: GlanceApi; url: string },
  ctx: BottomCallContext,
  timeoutMs: number,
  /** `[images] mode = copy`: a boot copies a missing image, so missing ones only warn. */
  copiedOnBoot = false,
): Promise<CheckResult> {
  if (sameService(top.url, pod.url)) return pass(CHECK, `the pod uses the top's Glance (${pod.url})`);
  const opts = { asAdmin: true, timeoutMs };
  let images: BottomImage[];
  try {
    images = await allActiveImages(top.glance, ctx, opts);
  } catch (err) {
    return fail(CHECK, `the top's Glance did not list its images: ${messageOf(err)}`);
  }
  const missing: BottomImage[] = [];
  const errors: string[] = [];
  for (let i = 0; i < images.length; i += PARALLEL) {
    await Promise.all(
      images.slice(i, i + PARALLEL).map(async (image) => {
        try {
          await pod.glance.getImage(ctx, image.id, opts);
        } catch (err) {
          if (isBottomNotFound(err)) missing.push(image);
          else errors.push(`${image.id}: ${messageOf(err)}`);
        }
      }),
    );
  }
  if (errors.length) return fail(CHECK, `the pod's Glance failed to answer for ${errors.length} image(s): ${errors.slice(0, NAMED).join('; ')}`);
  if (missing.length) {
    const named = missing.slice(0, NAMED).map((m) => `${m.name ?? ''} (${m.id})`.trim());
    const more = missing.length > NAMED ? ` and ${missing.length - NAMED} more` : '';
    const text = `${missing.length} of the top's ${images.length} image(s) are not in the pod's Glance under the same id: ${named.join(', ')}${more}`;
    return copiedOnBoot ? warn(CHECK, `${text} (copied on first boot: [images] mode = copy)`) : fail(CHECK, text);
  }
  return pass(CHECK, `all ${images.length} image(s) of the top's Glance are visible in the pod's Glance (${pod.url})`);
}

async function allActiveImages(glance: GlanceApi, ctx: BottomCallContext, opts: { asAdmin: boolean; timeoutMs: number }): Promise<BottomImage[]> {
  const images: BottomImage[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await glance.listImages(ctx, { status: 'active', limit: PAGE, ...(marker ? { marker } : {}) }, opts);
    images.push(...page.images);
    if (!page.next || page.images.length === 0) return images;
    marker = page.images[page.images.length - 1].id;
  }
}

function sameService(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, '').replace(/\/v2(\.\d+)?$/, '');
  return norm(a) === norm(b);
}
