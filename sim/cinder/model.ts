// Records kept by the simulated Cinder of one pod.

export interface VolumeAttachment {
  id: string;
  serverId: string | null;
  hostName: string | null;
  device: string;
  attachedAt: Date;
  mode: 'rw' | 'ro';
}

export type AttachStatus = 'detached' | 'attaching' | 'attached' | 'detaching';

export interface Volume {
  id: string;
  seq: number;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  attachStatus: AttachStatus;
  projectId: string;
  userId: string;
  availabilityZone: string;
  volumeTypeId: string;
  metadata: Record<string, string>;
  /** Image properties of a bootable volume (`volume_image_metadata`); null when none. */
  imageMetadata: Record<string, string> | null;
  readonly: boolean;
  /** True once os-update_readonly_flag set the flag: Cinder then shows it (admin metadata) in `metadata.readonly`. */
  readonlyFlagSet?: boolean;
  bootable: boolean;
  multiattach: boolean;
  snapshotId: string | null;
  sourceVolid: string | null;
  createdAt: Date;
  updatedAt: Date | null;
  attachments: VolumeAttachment[];
  migrationStatus: string | null;
  /** The group (3.13+) the volume was created into or added to. */
  groupId?: string | null;
}

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
  access: Set<string>;
  /** The associated QoS spec, if any. */
  qosSpecsId?: string | null;
}

export const DEFAULT_TYPE_NAME = '__DEFAULT__';

export interface CinderQuota {
  volumes: number;
  gigabytes: number;
  snapshots: number;
  backups: number;
  backup_gigabytes: number;
  groups: number;
  per_volume_gigabytes: number;
}

export const DEFAULT_CINDER_QUOTAS: CinderQuota = {
  volumes: 10,
  gigabytes: 1000,
  snapshots: 10,
  backups: 10,
  backup_gigabytes: 1000,
  groups: 10,
  per_volume_gigabytes: -1,
};

/** Statuses `os-reset_status` accepts. */
export const RESETTABLE_STATUSES = [
  'available',
  'creating',
  'deleting',
  'error',
  'error_deleting',
  'error_extending',
  'error_restoring',
  'error_managing',
  'in-use',
  'attaching',
  'detaching',
  'reserved',
  'maintenance',
  'extending',
  'retyping',
  'downloading',
  'uploading',
  'restoring-backup',
  'backing-up',
  'awaiting-transfer',
];
