import { createHash, randomUUID } from 'node:crypto';
import { SimServiceError } from '../types.js';

export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
export const VISIBILITIES = ['public', 'private', 'shared', 'community'];

/** The core attributes of a Glance v2 image; anything else a user sets is an extra property. */
export interface ImageRecord {
  id: string;
  name: string | null;
  status: 'queued' | 'saving' | 'active' | 'deactivated' | 'killed' | 'deleted';
  visibility: string;
  protected: boolean;
  os_hidden: boolean;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  container_format: string | null;
  disk_format: string | null;
  min_disk: number;
  min_ram: number;
  size: number | null;
  virtual_size: number | null;
  owner: string;
  tags: string[];
  created_at: Date;
  updated_at: Date;
  extra: Record<string, string>;
}

export interface ImageMember {
  imageId: string;
  memberId: string;
  status: 'pending' | 'accepted' | 'rejected';
  createdAt: Date;
  updatedAt: Date;
}

/** Who asks: the project and whether it is admin. */
export interface ImageViewer {
  projectId: string;
  isAdmin: boolean;
}

/** Images, their data and their members. Access rules of Glance v2 (visibility, membership) live here. */
export class ImageStore {
  readonly images = new Map<string, ImageRecord>();
  private readonly data = new Map<string, Buffer>();
  readonly members: ImageMember[] = [];

  /** Creates a queued image; `init` sets attributes before it is stored (a throw stores nothing). */
  create(owner: string, id: string | undefined, init: (image: ImageRecord) => void = () => {}): ImageRecord {
    const imageId = id ?? randomUUID();
    if (this.images.has(imageId)) throw new SimServiceError(409, `Image with identifier ${imageId} already exists!`);
    const now = new Date();
    const image: ImageRecord = {
      id: imageId,
      name: null,
      status: 'queued',
      visibility: 'shared',
      protected: false,
      os_hidden: false,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      container_format: null,
      disk_format: null,
      min_disk: 0,
      min_ram: 0,
      size: null,
      virtual_size: null,
      owner,
      tags: [],
      created_at: now,
      updated_at: now,
      extra: {},
    };
    init(image);
    this.images.set(imageId, image);
    return image;
  }

  /** True when the viewer may see the image at all (show). */
  canSee(image: ImageRecord, viewer: ImageViewer): boolean {
    if (viewer.isAdmin || image.owner === viewer.projectId) return true;
    if (image.visibility === 'public' || image.visibility === 'community') return true;
    return image.visibility === 'shared' && this.member(image.id, viewer.projectId) !== undefined;
  }

  /** An image the viewer can see, or 404 as Glance answers for both missing and invisible images. */
  get(id: string, viewer: ImageViewer): ImageRecord {
    const image = this.images.get(id);
    if (!image || !this.canSee(image, viewer)) throw new SimServiceError(404, `No image found with ID ${id}`);
    return image;
  }

  /** An image the viewer may change (owner or admin); 403 when it is only visible. */
  getOwned(id: string, viewer: ImageViewer, action: string): ImageRecord {
    const image = this.get(id, viewer);
    if (!viewer.isAdmin && image.owner !== viewer.projectId) {
      throw new SimServiceError(403, `You are not authorized to complete ${action} action.`);
    }
    return image;
  }

  delete(id: string, viewer: ImageViewer): void {
    const image = this.getOwned(id, viewer, 'delete_image');
    if (image.protected) throw new SimServiceError(403, `Image ${id} is protected and cannot be deleted.`);
    this.images.delete(id);
    this.data.delete(id);
    for (let i = this.members.length - 1; i >= 0; i--) if (this.members[i].imageId === id) this.members.splice(i, 1);
  }

  upload(image: ImageRecord, bytes: Buffer): void {
    if (image.status !== 'queued') {
      throw new SimServiceError(409, `Image status transition from ${image.status} to saving is not allowed`);
    }
    this.data.set(image.id, bytes);
    image.size = bytes.length;
    image.virtual_size = bytes.length;
    image.checksum = createHash('md5').update(bytes).digest('hex');
    image.os_hash_algo = 'sha512';
    image.os_hash_value = createHash('sha512').update(bytes).digest('hex');
    image.status = 'active';
    image.updated_at = new Date();
  }

  download(image: ImageRecord, viewer: ImageViewer): Buffer | undefined {
    if (image.status === 'deactivated' && !viewer.isAdmin) {
      throw new SimServiceError(403, 'The requested image has been deactivated. Image data download is forbidden.');
    }
    return this.data.get(image.id);
  }

  setActive(image: ImageRecord, active: boolean): void {
    const action = active ? 'reactivate' : 'deactivate';
    if (image.status !== 'active' && image.status !== 'deactivated') {
      throw new SimServiceError(403, `Not allowed to ${action} image in status '${image.status}'`);
    }
    image.status = active ? 'active' : 'deactivated';
    image.updated_at = new Date();
  }

  member(imageId: string, memberId: string): ImageMember | undefined {
    return this.members.find((m) => m.imageId === imageId && m.memberId === memberId);
  }

  addMember(image: ImageRecord, memberId: string): ImageMember {
    if (image.visibility !== 'shared') {
      throw new SimServiceError(403, `Only shared images have members.`);
    }
    if (this.member(image.id, memberId)) {
      throw new SimServiceError(409, `Member ${memberId} already associated with image ${image.id}`);
    }
    const now = new Date();
    const m: ImageMember = { imageId: image.id, memberId, status: 'pending', createdAt: now, updatedAt: now };
    this.members.push(m);
    return m;
  }

  removeMember(imageId: string, memberId: string): void {
    const i = this.members.findIndex((m) => m.imageId === imageId && m.memberId === memberId);
    if (i < 0) throw new SimServiceError(404, `${memberId} is not a member of image ${imageId}`);
    this.members.splice(i, 1);
  }
}
