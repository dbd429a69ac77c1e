import { SimServiceError } from '../types.js';
import { CORE, setAttribute } from './attributes.js';
import type { ImageRecord, ImageViewer } from './images.js';

/** The patch media types Glance v2 accepts on PATCH /v2/images/{id}. */
export const PATCH_MEDIA_TYPES = ['application/openstack-images-v2.1-json-patch', 'application/openstack-images-v2.0-json-patch'];

function badRequest(message: string): SimServiceError {
  return new SimServiceError(400, message);
}

/** Applies an images-v2 JSON patch (add / replace / remove of top-level attributes and tags). */
export function applyPatch(image: ImageRecord, ops: unknown, viewer: ImageViewer): void {
  if (!Array.isArray(ops)) throw badRequest('Request body must be a JSON array of operation objects.');
  // Work on a copy so a failing operation leaves the image untouched.
  const draft: ImageRecord = { ...image, tags: [...image.tags], extra: { ...image.extra } };
  for (const raw of ops) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('Operations must be JSON objects.');
    const op = raw as Record<string, unknown>;
    const kind = op.op;
    if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') {
      throw badRequest(`Invalid operation: \`${JSON.stringify(kind)}\`. It must be one of the following: add, remove, replace.`);
    }
    if (typeof op.path !== 'string' || !op.path.startsWith('/')) throw badRequest(`Unable to find '/' in JSON Schema change`);
    const parts = op.path
      .slice(1)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (kind !== 'remove' && !('value' in op)) throw badRequest(`Operation objects must contain exactly one member named "value".`);
    if (parts[0] === 'tags' && parts.length === 2) {
      patchTag(draft, kind, parts[1], op.value);
      continue;
    }
    if (parts.length !== 1) throw badRequest(`Nested paths are not allowed`);
    const key = parts[0];
    const exists = CORE.has(key) || key in draft.extra;
    if (kind === 'remove') {
      if (CORE.has(key)) throw new SimServiceError(403, `Attribute '${key}' is read-only.`);
      if (!exists) throw new SimServiceError(409, `Property ${key} does not exist.`);
      delete draft.extra[key];
      continue;
    }
    if (kind === 'replace' && !exists) throw new SimServiceError(409, `Property ${key} does not exist.`);
    setAttribute(draft, key, op.value, viewer, false);
  }
  Object.assign(image, draft, { updated_at: new Date() });
}

function patchTag(image: ImageRecord, kind: string, tag: string, value: unknown): void {
  if (kind === 'remove') {
    image.tags = image.tags.filter((t) => t !== tag);
    return;
  }
  const t = tag === '-' ? value : tag;
  if (typeof t !== 'string') throw badRequest(`Tag must be a string`);
  if (!image.tags.includes(t)) image.tags.push(t);
}
