// Records kept by the simulated Nova of one pod, and the vm_state/task_state → status mapping.

export type VmState = 'building' | 'active' | 'stopped' | 'paused' | 'suspended' | 'rescued' | 'resized' | 'shelved' | 'shelved_offloaded' | 'soft-delete' | 'error';

export const POWER = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

export interface Flavor {
  /** Internal integer id (the `instance_type_id` sort key). */
  seq: number;
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral: number;
  swap: number;
  rxtxFactor: number;
  isPublic: boolean;
  disabled: boolean;
  description: string | null;
  extraSpecs: Record<string, string>;
  /** Projects granted access to a private flavor. */
  access: Set<string>;
  createdAt: Date;
  updatedAt: Date | null;
}

/** The copy of the flavor a server keeps (Nova embeds it from 2.47). */
export interface FlavorSnapshot {
  id: string;
  seq: number;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral: number;
  swap: number;
  extraSpecs: Record<string, string>;
}

export interface Keypair {
  id: number;
  name: string;
  userId: string;
  type: 'ssh' | 'x509';
  publicKey: string;
  fingerprint: string;
  createdAt: Date;
}

export interface InstanceActionEvent {
  event: string;
  startTime: Date;
  finishTime: Date | null;
  result: string | null;
}

export interface InstanceAction {
  action: string;
  requestId: string;
  userId: string;
  projectId: string;
  startTime: Date;
  updatedAt: Date;
  message: string | null;
  events: InstanceActionEvent[];
}

export interface ServerPort {
  portId: string;
  /** True when Nova created the port (deleted with the server); false for a port the user gave. */
  createdByNova: boolean;
  tag: string | null;
}

export interface ServerVolume {
  volumeId: string;
  device: string;
  attachmentId: string;
  bdmId: string;
  deleteOnTermination: boolean;
  tag: string | null;
  bootIndex: number | null;
}

export interface Server {
  id: string;
  name: string;
  projectId: string;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
  launchedAt: Date | null;
  vmState: VmState;
  taskState: string | null;
  powerState: number;
  flavor: FlavorSnapshot;
  /** Flavor before an unconfirmed resize (restored by revertResize). */
  oldFlavor: FlavorSnapshot | null;
  /** vm_state to return to on confirm/revert resize, unrescue, resetState etc. */
  previousVmState: VmState | null;
  /** '' for a server booted from volume. */
  imageId: string;
  keyName: string | null;
  keyData: string | null;
  userData: string | null;
  metadata: Record<string, string>;
  accessIPv4: string;
  accessIPv6: string;
  description: string | null;
  tags: string[];
  locked: boolean;
  lockedBy: 'admin' | 'owner' | null;
  lockedReason: string | null;
  diskConfig: 'AUTO' | 'MANUAL';
  configDrive: boolean;
  securityGroups: string[];
  availabilityZone: string;
  host: string | null;
  node: string | null;
  instanceName: string;
  hostname: string;
  reservationId: string;
  launchIndex: number;
  adminPass: string;
  ports: ServerPort[];
  volumes: ServerVolume[];
  actions: InstanceAction[];
  progress: number;
  trustedCerts: string[] | null;
  /** The snapshot image a shelve made of an image-backed server (`<name>-shelved`), removed by unshelve or delete. */
  shelvedImageId?: string;
  /** The backup images of createBackup per backup type, oldest first (rotation deletes the oldest). */
  backups?: Record<string, string[]>;
  /** Monotonic counter: stable order for servers created in the same millisecond. */
  seq: number;
}

const ACTIVE_TASKS: Record<string, string> = {
  rebooting: 'REBOOT',
  reboot_pending: 'REBOOT',
  reboot_started: 'REBOOT',
  rebooting_hard: 'HARD_REBOOT',
  reboot_pending_hard: 'HARD_REBOOT',
  reboot_started_hard: 'HARD_REBOOT',
  rebuilding: 'REBUILD',
  rebuild_block_device_mapping: 'REBUILD',
  rebuild_spawning: 'REBUILD',
  updating_password: 'PASSWORD',
  resize_prep: 'RESIZE',
  resize_migrating: 'RESIZE',
  resize_migrated: 'RESIZE',
  resize_finish: 'RESIZE',
  migrating: 'MIGRATING',
};

/** The API `status` of a server from its vm_state and task_state. */
export function statusOf(vm: VmState, task: string | null): string {
  switch (vm) {
    case 'building':
      return 'BUILD';
    case 'active':
      return (task && ACTIVE_TASKS[task]) || 'ACTIVE';
    case 'stopped':
      if (task === 'rebuilding' || task === 'rebuild_spawning') return 'REBUILD';
      if (task?.startsWith('resize_')) return 'RESIZE';
      if (task === 'rebooting_hard') return 'HARD_REBOOT';
      return 'SHUTOFF';
    case 'resized':
      return task === 'resize_reverting' ? 'REVERT_RESIZE' : 'VERIFY_RESIZE';
    case 'paused':
      return 'PAUSED';
    case 'suspended':
      return 'SUSPENDED';
    case 'rescued':
      return 'RESCUE';
    case 'shelved':
      return 'SHELVED';
    case 'shelved_offloaded':
      return 'SHELVED_OFFLOADED';
    case 'soft-delete':
      return 'SOFT_DELETED';
    case 'error':
      return task === 'rebuilding' ? 'REBUILD' : 'ERROR';
  }
}

/** Statuses the `status` list filter knows, and the vm_states each stands for. */
export const STATUS_FILTER: Record<string, VmState[]> = {
  BUILD: ['building'],
  ACTIVE: ['active'],
  REBOOT: ['active'],
  HARD_REBOOT: ['active', 'stopped'],
  REBUILD: ['active', 'stopped', 'error'],
  PASSWORD: ['active'],
  RESIZE: ['active', 'stopped'],
  MIGRATING: ['active'],
  VERIFY_RESIZE: ['resized'],
  REVERT_RESIZE: ['resized'],
  SHUTOFF: ['stopped'],
  PAUSED: ['paused'],
  SUSPENDED: ['suspended'],
  RESCUE: ['rescued'],
  SHELVED: ['shelved'],
  SHELVED_OFFLOADED: ['shelved_offloaded'],
  SOFT_DELETED: ['soft-delete'],
  ERROR: ['error'],
  DELETED: [],
  UNKNOWN: [],
};

export interface QuotaLimits {
  instances: number;
  cores: number;
  ram: number;
  key_pairs: number;
  metadata_items: number;
  server_groups: number;
  server_group_members: number;
  injected_files: number;
  injected_file_content_bytes: number;
  injected_file_path_bytes: number;
  fixed_ips: number;
  floating_ips: number;
  security_groups: number;
  security_group_rules: number;
}

export const DEFAULT_QUOTAS: QuotaLimits = {
  instances: 10,
  cores: 20,
  ram: 51200,
  key_pairs: 100,
  metadata_items: 128,
  server_groups: 10,
  server_group_members: 10,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  fixed_ips: -1,
  floating_ips: -1,
  security_groups: -1,
  security_group_rules: -1,
};
