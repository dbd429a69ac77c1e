// The service layer of one simulated Cinder, wired together (no Fastify in here).
import { createHash } from 'node:crypto';
import { TransitionTimers } from '../nova/apiutil.js';
import { VolumeActions } from './actions.js';
import { CinderQuotaService, VolumeTypeService } from './catalog.js';
import { CinderLinks, type CinderSimDeps } from './context.js';
import { CinderGroups } from './groups.js';
import { CinderState } from './state.js';
import { CinderStorage } from './storage.js';
import { CinderViews } from './views.js';
import { VolumeService } from './volumes.js';

export interface CinderServices {
  deps: CinderSimDeps;
  state: CinderState;
  timers: TransitionTimers;
  links: CinderLinks;
  views: CinderViews;
  volumes: VolumeService;
  actions: VolumeActions;
  types: VolumeTypeService;
  quotas: CinderQuotaService;
  storage: CinderStorage;
  groups: CinderGroups;
}

function uuidFrom(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createCinderServices(deps: CinderSimDeps): CinderServices {
  const state = new CinderState();
  const timers = new TransitionTimers(deps.buildDelayMs ?? 50);
  const links = new CinderLinks(deps.publicUrl);
  const host = `${deps.region.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-volume@lvmdriver-1#lvmdriver-1`;
  const views = new CinderViews(state, links, host, uuidFrom(`cinder-volume:${deps.region}`));
  const volumes = new VolumeService(state, deps, views, timers);
  const storage = new CinderStorage(volumes, timers, links, deps.az);
  const groups = new CinderGroups(volumes, storage, timers, deps.az);
  volumes.sources = {
    snapshot: (ctx, id) => storage.snapshotForVolume(ctx, id),
    backup: (ctx, id) => storage.backupForVolume(ctx, id),
    note: (ctx, type, uuid, event, text) => storage.note(ctx, type, uuid, event, text),
    blocksDelete: (volumeId, cascade) =>
      (!cascade && [...storage.snapshots.items.values()].some((x) => x.volumeId === volumeId)) || [...storage.transfers.items.values()].some((x) => x.volumeId === volumeId),
    deleteSnapshotsOf: (ctx, volumeId) => storage.deleteSnapshotsOf(ctx, volumeId),
    checkGroupMember: (ctx, groupId, typeId) => groups.checkMember(ctx, groupId, typeId),
  };
  return {
    deps,
    state,
    timers,
    links,
    views,
    volumes,
    actions: new VolumeActions(volumes),
    types: new VolumeTypeService(state),
    quotas: new CinderQuotaService(state),
    storage,
    groups,
  };
}
