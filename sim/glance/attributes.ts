import { SimServiceError } from '../types.js';
import { CONTAINER_FORMATS, DISK_FORMATS, VISIBILITIES, type ImageRecord, type ImageViewer } from './images.js';

const READ_ONLY = new Set([
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
]);

/** Core attributes that cannot be removed (they are reset by `replace`, never dropped). */
export const CORE = new Set(['id', 'name', 'visibility', 'protected', 'os_hidden', 'container_format', 'disk_format', 'min_disk', 'min_ram', 'owner', 'tags', ...READ_ONLY]);

function invalid(message: string): SimServiceError {
  return new SimServiceError(400, `Provided object does not match schema 'image': ${message}`);
}

function nonNegativeInt(_key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`${JSON.stringify(v)} is not of type 'integer'`);
  if (v < 0) throw invalid(`${v} is less than the minimum of 0`);
  return v;
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalid(`${JSON.stringify(v)} is not of type 'boolean'`);
  return v;
}

function oneOf(_key: string, allowed: string[], v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || !allowed.includes(v)) throw invalid(`${JSON.stringify(v)} is not one of ${JSON.stringify(allowed)}`);
  return v;
}

/**
 * Sets one attribute of an image with Glance's rules: read-only attributes 403, formats only while
 * queued, publicizing and changing owner only for admins, extra properties strings.
 */
export function setAttribute(image: ImageRecord, key: string, value: unknown, viewer: ImageViewer, creating: boolean): void {
  if (READ_ONLY.has(key)) throw new SimServiceError(403, `Attribute '${key}' is read-only.`);
  switch (key) {
    case 'id':
      if (!creating) throw new SimServiceError(403, `Attribute 'id' is read-only.`);
      return;
    case 'name':
      if (value !== null && typeof value !== 'string') throw invalid(`${JSON.stringify(value)} is not of type 'null', 'string'`);
      if (typeof value === 'string' && value.length > 255) throw invalid(`'${value}' is too long`);
      image.name = value;
      return;
    case 'visibility': {
      const v = oneOf(key, VISIBILITIES, value);
      if (v === null) throw invalid(`None is not one of ${JSON.stringify(VISIBILITIES)}`);
      if (v === 'public' && image.visibility !== 'public' && !viewer.isAdmin) {
        throw new SimServiceError(403, 'You are not authorized to complete publicize_image action.');
      }
      image.visibility = v;
      return;
    }
    case 'protected':
      image.protected = bool(value);
      return;
    case 'os_hidden':
      image.os_hidden = bool(value);
      return;
    case 'container_format':
    case 'disk_format': {
      if (!creating && image.status !== 'queued') {
        throw new SimServiceError(403, `Attribute ${key} can be only replaced for a queued image.`);
      }
      image[key] = oneOf(key, key === 'disk_format' ? DISK_FORMATS : CONTAINER_FORMATS, value);
      return;
    }
    case 'min_disk':
    case 'min_ram':
      image[key] = nonNegativeInt(key, value);
      return;
    case 'tags':
      if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) throw invalid(`${JSON.stringify(value)} is not of type 'array'`);
      image.tags = [...new Set(value as string[])];
      return;
    case 'owner':
      if (value !== null && typeof value !== 'string') throw invalid(`${JSON.stringify(value)} is not of type 'null', 'string'`);
      if (!viewer.isAdmin && value !== image.owner) throw new SimServiceError(403, `Attribute 'owner' is reserved.`);
      image.owner = value ?? image.owner;
      return;
    default:
      if (typeof value !== 'string') throw invalid(`${JSON.stringify(value)} is not of type 'string'`);
      image.extra[key] = value;
  }
}
