import type { GatewayRouter } from '../../gateway/index.js';
import type { AdminViews } from './admin.js';
import { ATTACHMENTS, BACKUPS, MESSAGES, OLD_TRANSFERS, SNAPSHOTS, TRANSFERS, type PodResourceKind } from './kinds.js';
import type { PodResourceLister } from './lister.js';
import {
  ActionBody,
  AttachmentCreate,
  AttachmentUpdate,
  BackupCreate,
  BackupImport,
  BackupRestore,
  BackupUpdate,
  MetadataBody,
  MetaItemBody,
  SnapshotCreate,
  SnapshotUpdate,
  TransferAccept,
  TransferCreate,
} from './schemas.js';
import type { PodResources } from './service.js';
import type { StorageService } from './storage.js';

export interface StorageRouteDeps {
  lister: PodResourceLister;
  resources: PodResources;
  storage: StorageService;
}

/** Snapshots, backups, transfers, attachments (3.27+) and messages (3.3+): see docs/cinder-api.md. */
export function storageRoutes(r: GatewayRouter, s: StorageRouteDeps): void {
  const { lister, resources, storage } = s;
  const lists = (kind: PodResourceKind, detail = true) => {
    const o = { minVersion: kind.minVersion };
    r.get(`/${kind.collection}`, (call) => lister.list(call, kind, false), o);
    if (detail) r.get(`/${kind.collection}/detail`, (call) => lister.list(call, kind, true), o);
  };

  // Snapshots
  lists(SNAPSHOTS);
  r.post('/snapshots', (call) => storage.createOnVolume(call, SNAPSHOTS), { body: SnapshotCreate });
  r.get('/snapshots/:id', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'GET'));
  r.put('/snapshots/:id', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'PUT', '', call.body), { body: SnapshotUpdate });
  r.delete('/snapshots/:id', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'DELETE'));
  r.get('/snapshots/:id/metadata', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'GET', '/metadata'));
  r.post('/snapshots/:id/metadata', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'POST', '/metadata', call.body), { body: MetadataBody });
  r.put('/snapshots/:id/metadata', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'PUT', '/metadata', call.body), { body: MetadataBody });
  const key = (k: string) => `/metadata/${encodeURIComponent(k)}`;
  r.get('/snapshots/:id/metadata/:key', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'GET', key(call.params.key)));
  r.put('/snapshots/:id/metadata/:key', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'PUT', key(call.params.key), call.body), { body: MetaItemBody });
  r.delete('/snapshots/:id/metadata/:key', (call) => resources.call(call, SNAPSHOTS, call.params.id, 'DELETE', key(call.params.key)));
  r.post('/snapshots/:id/action', (call) => storage.snapshotAction(call, call.params.id), { body: ActionBody });

  // Backups
  lists(BACKUPS);
  r.post('/backups', (call) => storage.createOnVolume(call, BACKUPS), { body: BackupCreate });
  r.get('/backups/:id', (call) => resources.call(call, BACKUPS, call.params.id, 'GET'));
  r.put('/backups/:id', (call) => resources.call(call, BACKUPS, call.params.id, 'PUT', '', call.body), { minVersion: '3.9', body: BackupUpdate });
  r.delete('/backups/:id', (call) => resources.call(call, BACKUPS, call.params.id, 'DELETE'));
  r.post('/backups/:id/restore', (call) => storage.restore(call, call.params.id), { body: BackupRestore });
  r.get('/backups/:id/export_record', (call) => storage.exportRecord(call, call.params.id));
  r.post('/backups/import_record', (call) => storage.importRecord(call), { body: BackupImport });
  r.post('/backups/:id/action', (call) => resources.call(call, BACKUPS, call.params.id, 'POST', '/action', call.body), { body: ActionBody });

  // Transfers: os-volume-transfer, and volume-transfers from 3.55.
  for (const kind of [OLD_TRANSFERS, TRANSFERS]) {
    const o = { minVersion: kind.minVersion };
    lists(kind);
    r.post(`/${kind.collection}`, (call) => storage.createOnVolume(call, kind), { ...o, body: TransferCreate });
    r.get(`/${kind.collection}/:id`, (call) => resources.call(call, kind, call.params.id, 'GET'), o);
    r.delete(`/${kind.collection}/:id`, (call) => resources.call(call, kind, call.params.id, 'DELETE'), o);
    r.post(`/${kind.collection}/:id/accept`, (call) => storage.accept(call, kind, call.params.id), { ...o, body: TransferAccept });
  }

  // Attachments (3.27+)
  const att = { minVersion: ATTACHMENTS.minVersion };
  lists(ATTACHMENTS);
  r.post('/attachments', (call) => storage.createAttachment(call), { ...att, body: AttachmentCreate });
  r.get('/attachments/:id', (call) => resources.call(call, ATTACHMENTS, call.params.id, 'GET'), att);
  r.put('/attachments/:id', (call) => resources.call(call, ATTACHMENTS, call.params.id, 'PUT', '', call.body), { ...att, body: AttachmentUpdate });
  r.delete('/attachments/:id', (call) => resources.call(call, ATTACHMENTS, call.params.id, 'DELETE'), att);
  r.post('/attachments/:id/action', (call) => resources.call(call, ATTACHMENTS, call.params.id, 'POST', '/action', call.body), { minVersion: '3.44', body: ActionBody });

  // Messages (3.3+): not routed.
  lists(MESSAGES, false);
  r.get('/messages/:id', (call) => storage.message(call, call.params.id, 'GET'), { minVersion: MESSAGES.minVersion });
  r.delete('/messages/:id', (call) => storage.message(call, call.params.id, 'DELETE'), { minVersion: MESSAGES.minVersion });
}

/** The admin views merged across pods, and the documents any pod serves: see docs/cinder-api.md. */
export function adminRoutes(r: GatewayRouter, admin: AdminViews): void {
  r.get('/os-services', (call) => admin.services(call));
  r.put('/os-services/:verb', (call) => admin.serviceAction(call, call.params.verb));
  r.get('/scheduler-stats/get_pools', (call) => admin.pools(call));
  r.get('/capabilities/:host', (call) => admin.capabilities(call, call.params.host));
  r.get('/os-hosts', (call) => admin.hosts(call));
  r.get('/os-hosts/:host', (call) => admin.host(call, call.params.host));
  const v37 = { minVersion: '3.7' };
  r.get('/clusters', (call) => admin.clusters(call, false), v37);
  r.get('/clusters/detail', (call) => admin.clusters(call, true), v37);
  r.get('/clusters/:name', (call) => admin.cluster(call, call.params.name), v37);
  r.put('/clusters/enable', (call) => admin.clusterAction(call, 'enable'), v37);
  r.put('/clusters/disable', (call) => admin.clusterAction(call, 'disable'), v37);
  const v38 = { minVersion: '3.8' };
  for (const kind of ['volumes', 'snapshots'] as const) {
    r.get(`/manageable_${kind}`, (call) => admin.manageable(call, kind, false), v38);
    r.get(`/manageable_${kind}/detail`, (call) => admin.manageable(call, kind, true), v38);
    r.post(`/manageable_${kind}`, (call) => admin.manage(call, kind), { body: ActionBody });
  }
  r.get('/extensions', (call) => admin.fromOnePod(call, '/extensions'));
  r.get('/resource_filters', (call) => admin.fromOnePod(call, '/resource_filters'), { minVersion: '3.33' });
}
