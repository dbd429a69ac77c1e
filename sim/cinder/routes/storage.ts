// Routes: snapshots (+ metadata, actions), backups (+ restore, export/import, actions), volume
// transfers (os-volume-transfer and volume-transfers 3.55+), attachments (3.27+) and messages (3.3+).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { nextLink, rawQueryOf } from '../../nova/apiutil.js';
import type { CinderCtx } from '../context.js';
import type { CinderServices } from '../services.js';
import type { StoredRecord } from '../storage.js';
import { params, query, type CinderRouter } from '../router.js';

export function listBody<R extends StoredRecord>(
  ctx: CinderCtx,
  req: FastifyRequest,
  s: CinderServices,
  key: string,
  path: string,
  result: { page: R[]; full: boolean },
  view: (r: R) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = { [key]: result.page.map(view) };
  if (result.full) out[`${key}_links`] = [{ href: nextLink(s.links.versioned(ctx, path), rawQueryOf(req.url), result.page[result.page.length - 1].id), rel: 'next' }];
  return out;
}

export const send = (reply: FastifyReply, r: { status: number; body?: unknown }) => {
  reply.code(r.status);
  return r.body === undefined ? reply.send() : reply.send(r.body);
};

export function storageRoutes(r: CinderRouter, s: CinderServices): void {
  const st = s.storage;

  // Snapshots
  for (const detail of [false, true]) {
    r.get(detail ? '/snapshots/detail' : '/snapshots', (ctx, req) =>
      listBody(ctx, req, s, 'snapshots', detail ? 'snapshots/detail' : 'snapshots', st.snapshots.list(ctx, query(req)), (x) => st.snapshotView(ctx, x, detail)),
    );
  }
  r.post('/snapshots', (ctx, req, reply) => reply.code(202).send({ snapshot: st.snapshotView(ctx, st.createSnapshot(ctx, req.body), false) }));
  r.get('/snapshots/:id', (ctx, req) => ({ snapshot: st.snapshotView(ctx, st.snapshots.find(ctx, params(req).id)) }));
  r.put('/snapshots/:id', (ctx, req) => ({ snapshot: st.snapshotView(ctx, st.updateSnapshot(ctx, params(req).id, req.body), false) }));
  r.delete('/snapshots/:id', (ctx, req, reply) => {
    st.deleteSnapshot(ctx, params(req).id);
    return reply.code(202).send();
  });
  for (const method of ['GET', 'POST', 'PUT'] as const) {
    r.add(method, '/snapshots/:id/metadata', (ctx, req, reply) => send(reply, st.snapshotMetadata(ctx, params(req).id, method, undefined, req.body)));
  }
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    r.add(method, '/snapshots/:id/metadata/:key', (ctx, req, reply) => send(reply, st.snapshotMetadata(ctx, params(req).id, method, params(req).key, req.body)));
  }
  r.post('/snapshots/:id/action', (ctx, req, reply) => send(reply, st.snapshotAction(ctx, params(req).id, req.body)));

  // Backups
  for (const detail of [false, true]) {
    r.get(detail ? '/backups/detail' : '/backups', (ctx, req) =>
      listBody(ctx, req, s, 'backups', detail ? 'backups/detail' : 'backups', st.backups.list(ctx, query(req)), (x) =>
        detail ? st.backupView(ctx, x) : { id: x.id, links: s.links.pair(ctx, 'backups', x.id), name: x.name },
      ),
    );
  }
  r.post('/backups', (ctx, req, reply) => {
    const b = st.createBackup(ctx, req.body);
    return reply.code(202).send({ backup: { id: b.id, links: s.links.pair(ctx, 'backups', b.id), name: b.name } });
  });
  r.get('/backups/:id', (ctx, req) => ({ backup: st.backupView(ctx, st.backups.find(ctx, params(req).id)) }));
  // Cinder answers an update with the summary view (id, links, name), as the create.
  r.put(
    '/backups/:id',
    (ctx, req) => {
      const b = st.updateBackup(ctx, params(req).id, req.body);
      return { backup: { id: b.id, links: s.links.pair(ctx, 'backups', b.id), name: b.name } };
    },
    { minVersion: '3.9' },
  );
  r.delete('/backups/:id', (ctx, req, reply) => {
    st.deleteBackup(ctx, params(req).id);
    return reply.code(202).send();
  });
  r.post('/backups/:id/restore', (ctx, req, reply) => send(reply, st.restoreBackup(ctx, params(req).id, req.body)));
  r.get('/backups/:id/export_record', (ctx, req, reply) => send(reply, st.exportBackup(ctx, params(req).id)));
  r.post('/backups/import_record', (ctx, req, reply) => send(reply, st.importBackup(ctx, req.body)));
  r.post('/backups/:id/action', (ctx, req, reply) => send(reply, st.backupAction(ctx, params(req).id, req.body)));

  // Transfers: the old path, and volume-transfers from 3.55.
  for (const [collection, minVersion] of [
    ['os-volume-transfer', undefined],
    ['volume-transfers', '3.55'],
  ] as const) {
    const o = minVersion ? { minVersion } : undefined;
    for (const detail of [false, true]) {
      r.get(
        detail ? `/${collection}/detail` : `/${collection}`,
        (ctx, req) =>
          listBody(ctx, req, s, 'transfers', detail ? `${collection}/detail` : collection, st.transfers.list(ctx, query(req)), (x) => st.transferView(ctx, x, collection, detail)),
        o,
      );
    }
    r.post(
      `/${collection}`,
      (ctx, req, reply) => {
        const t = st.createTransfer(ctx, req.body);
        return reply.code(202).send({ transfer: { ...st.transferView(ctx, t, collection), auth_key: t.authKey } });
      },
      o,
    );
    r.get(`/${collection}/:id`, (ctx, req) => ({ transfer: st.transferView(ctx, st.transfers.find(ctx, params(req).id), collection) }), o);
    r.delete(
      `/${collection}/:id`,
      (ctx, req, reply) => {
        st.deleteTransfer(ctx, params(req).id);
        return reply.code(202).send();
      },
      o,
    );
    r.post(
      `/${collection}/:id/accept`,
      (ctx, req, reply) => {
        const t = st.acceptTransfer(ctx, params(req).id, req.body);
        return reply.code(202).send({ transfer: { id: t.id, name: t.name, volume_id: t.volumeId, links: s.links.pair(ctx, collection, t.id) } });
      },
      o,
    );
  }

  // Attachments (3.27+)
  const att = { minVersion: '3.27' };
  for (const detail of [false, true]) {
    r.get(
      detail ? '/attachments/detail' : '/attachments',
      (ctx, req) => listBody(ctx, req, s, 'attachments', detail ? 'attachments/detail' : 'attachments', st.attachments.list(ctx, query(req)), (x) => st.attachmentView(x, detail)),
      att,
    );
  }
  r.post('/attachments', (ctx, req) => ({ attachment: st.attachmentView(st.createAttachment(ctx, req.body)) }), att);
  r.get('/attachments/:id', (ctx, req) => ({ attachment: st.attachmentView(st.attachments.find(ctx, params(req).id)) }), att);
  r.put('/attachments/:id', (ctx, req) => ({ attachment: st.attachmentView(st.updateAttachment(ctx, params(req).id, req.body)) }), att);
  r.delete('/attachments/:id', (ctx, req, reply) => send(reply, st.deleteAttachment(ctx, params(req).id)), att);
  r.post(
    '/attachments/:id/action',
    (ctx, req, reply) => {
      st.completeAttachment(ctx, params(req).id, req.body);
      return reply.code(204).send();
    },
    att,
  );

  // Messages (3.3+)
  const msg = { minVersion: '3.3' };
  r.get('/messages', (ctx, req) => listBody(ctx, req, s, 'messages', 'messages', st.messages.list(ctx, query(req)), (x) => st.messageView(ctx, x)), msg);
  r.get('/messages/:id', (ctx, req) => ({ message: st.messageView(ctx, st.messages.find(ctx, params(req).id)) }), msg);
  r.delete(
    '/messages/:id',
    (ctx, req, reply) => {
      st.messages.find(ctx, params(req).id);
      st.messages.items.delete(params(req).id);
      return reply.code(204).send();
    },
    msg,
  );
}
