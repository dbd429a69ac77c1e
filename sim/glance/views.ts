import { isoSeconds } from '../common/ids.js';
import type { ImageMember, ImageRecord } from './images.js';

/** The wire shape of a Glance v2 image (links are relative, as Glance writes them). */
export function imageView(i: ImageRecord): Record<string, unknown> {
  return {
    ...i.extra,
    id: i.id,
    name: i.name,
    status: i.status,
    visibility: i.visibility,
    protected: i.protected,
    os_hidden: i.os_hidden,
    checksum: i.checksum,
    os_hash_algo: i.os_hash_algo,
    os_hash_value: i.os_hash_value,
    container_format: i.container_format,
    disk_format: i.disk_format,
    min_disk: i.min_disk,
    min_ram: i.min_ram,
    size: i.size,
    virtual_size: i.virtual_size,
    owner: i.owner,
    tags: [...i.tags],
    created_at: isoSeconds(i.created_at),
    updated_at: isoSeconds(i.updated_at),
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: '/v2/schemas/image',
  };
}

export function memberView(m: ImageMember): Record<string, unknown> {
  return {
    created_at: isoSeconds(m.createdAt),
    image_id: m.imageId,
    member_id: m.memberId,
    schema: '/v2/schemas/member',
    status: m.status,
    updated_at: isoSeconds(m.updatedAt),
  };
}
