// Routes: group types (3.11) and their group specs, groups (3.13; create-from-src 3.14, reset_status
// 3.20, replication 3.38) and group snapshots (3.14; reset_status 3.19).
import type { CinderServices } from '../services.js';
import { params, query, type CinderRouter } from '../router.js';
import { listBody } from './storage.js';

export function groupRoutes(r: CinderRouter, s: CinderServices): void {
  const g = s.groups;
  const v311 = { minVersion: '3.11' };
  const v313 = { minVersion: '3.13' };
  const v314 = { minVersion: '3.14' };

  r.get('/group_types', (ctx) => ({ group_types: g.listGroupTypes(ctx).map((t) => g.groupTypeView(t)) }), v311);
  r.post('/group_types', (ctx, req, reply) => reply.code(202).send({ group_type: g.groupTypeView(g.createGroupType(ctx, req.body)) }), v311);
  r.get('/group_types/default', (ctx) => ({ group_type: g.groupTypeView(g.groupType(ctx, 'default')) }), v311);
  r.get('/group_types/:id', (ctx, req) => ({ group_type: g.groupTypeView(g.groupType(ctx, params(req).id)) }), v311);
  r.put('/group_types/:id', (ctx, req) => ({ group_type: g.groupTypeView(g.updateGroupType(ctx, params(req).id, req.body)) }), v311);
  r.delete(
    '/group_types/:id',
    (ctx, req, reply) => {
      g.deleteGroupType(ctx, params(req).id);
      return reply.code(202).send();
    },
    v311,
  );
  r.get('/group_types/:id/group_specs', (ctx, req) => ({ group_specs: { ...g.groupType(ctx, params(req).id).specs } }), v311);
  r.post('/group_types/:id/group_specs', (ctx, req, reply) => reply.code(202).send({ group_specs: g.setGroupSpecs(ctx, params(req).id, req.body) }), v311);
  r.get('/group_types/:id/group_specs/:key', (ctx, req) => g.groupSpec(ctx, params(req).id, params(req).key), v311);
  r.put('/group_types/:id/group_specs/:key', (ctx, req) => g.setGroupSpec(ctx, params(req).id, params(req).key, req.body), v311);
  r.delete(
    '/group_types/:id/group_specs/:key',
    (ctx, req, reply) => {
      g.deleteGroupSpec(ctx, params(req).id, params(req).key);
      return reply.code(202).send();
    },
    v311,
  );

  for (const detail of [false, true]) {
    const path = detail ? 'groups/detail' : 'groups';
    r.get(`/${path}`, (ctx, req) => listBody(ctx, req, s, 'groups', path, g.groups.list(ctx, query(req)), (x) => g.groupView(ctx, x, detail)), v313);
  }
  r.post('/groups', (ctx, req, reply) => reply.code(202).send({ group: g.groupView(ctx, g.createGroup(ctx, req.body), false) }), v313);
  r.post('/groups/action', (ctx, req, reply) => reply.code(202).send({ group: g.groupView(ctx, g.createFromSource(ctx, req.body), false) }), v314);
  r.get('/groups/:id', (ctx, req) => ({ group: g.groupView(ctx, g.groups.find(ctx, params(req).id)) }), v313);
  r.put(
    '/groups/:id',
    (ctx, req, reply) => {
      g.updateGroup(ctx, params(req).id, req.body);
      return reply.code(202).send();
    },
    v313,
  );
  r.post(
    '/groups/:id/action',
    (ctx, req, reply) => {
      g.groupAction(ctx, params(req).id, req.body);
      return reply.code(202).send();
    },
    v313,
  );

  for (const detail of [false, true]) {
    const path = detail ? 'group_snapshots/detail' : 'group_snapshots';
    r.get(`/${path}`, (ctx, req) => listBody(ctx, req, s, 'group_snapshots', path, g.snapshots.list(ctx, query(req)), (x) => g.groupSnapshotView(ctx, x, detail)), v314);
  }
  r.post('/group_snapshots', (ctx, req, reply) => reply.code(202).send({ group_snapshot: g.groupSnapshotView(ctx, g.createGroupSnapshot(ctx, req.body), 'summary') }), v314);
  r.get('/group_snapshots/:id', (ctx, req) => ({ group_snapshot: g.groupSnapshotView(ctx, g.snapshots.find(ctx, params(req).id)) }), v314);
  r.delete(
    '/group_snapshots/:id',
    (ctx, req, reply) => {
      g.deleteGroupSnapshot(ctx, params(req).id);
      return reply.code(202).send();
    },
    v314,
  );
  r.post(
    '/group_snapshots/:id/action',
    (ctx, req, reply) => {
      g.groupSnapshotAction(ctx, params(req).id, req.body);
      return reply.code(202).send();
    },
    v314,
  );
}
