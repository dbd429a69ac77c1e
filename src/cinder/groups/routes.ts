import type { GatewayRouter } from '../../gateway/index.js';
import { GroupAction, GroupCreate, GroupFromSource, GroupSnapshotAction, GroupSnapshotCreate, GroupUpdate } from './schemas.js';
import type { GroupService } from './service.js';

/** `/groups` (3.13+) and `/group_snapshots` (3.14+): see docs/cinder-api.md, "Groups". */
export function groupRoutes(r: GatewayRouter, groups: GroupService): void {
  const v313 = { minVersion: '3.13' };
  const v314 = { minVersion: '3.14' };
  r.get('/groups', (call) => groups.list(call, false, false), v313);
  r.get('/groups/detail', (call) => groups.list(call, false, true), v313);
  r.post('/groups', (call) => groups.create(call), { ...v313, body: GroupCreate });
  r.post('/groups/action', (call) => groups.createFromSource(call), { ...v314, body: GroupFromSource });
  r.get('/groups/:id', (call) => groups.show(call, false, call.params.id), v313);
  r.put('/groups/:id', (call) => groups.update(call, call.params.id), { ...v313, body: GroupUpdate });
  r.post('/groups/:id/action', (call) => groups.action(call, call.params.id), { ...v313, body: GroupAction });

  r.get('/group_snapshots', (call) => groups.list(call, true, false), v314);
  r.get('/group_snapshots/detail', (call) => groups.list(call, true, true), v314);
  r.post('/group_snapshots', (call) => groups.createSnapshot(call), { ...v314, body: GroupSnapshotCreate });
  r.get('/group_snapshots/:id', (call) => groups.show(call, true, call.params.id), v314);
  r.delete('/group_snapshots/:id', (call) => groups.snapshotCall(call, call.params.id, 'DELETE'), v314);
  r.post('/group_snapshots/:id/action', (call) => groups.snapshotCall(call, call.params.id, 'POST'), { ...v314, body: GroupSnapshotAction });
}
