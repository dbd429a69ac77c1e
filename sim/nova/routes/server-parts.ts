// Routes: server IPs, metadata, tags, instance actions, interfaces and volume attachments.
import { SimServiceError } from '../../types.js';
import { nextLink, rawQueryOf } from '../apiutil.js';
import type { NovaServices } from '../services.js';
import { params, query, type NovaRouter } from '../router.js';

export function serverPartRoutes(r: NovaRouter, s: NovaServices): void {
  const { parts, views, links } = s;

  r.post(
    '/servers/:server_id/remote-consoles',
    (ctx, req) => {
      const body = req.body as { remote_console?: { protocol?: string; type?: string } } | undefined;
      const rc = body?.remote_console;
      const valid: Record<string, string[]> = { vnc: ['novnc', 'xvpvnc'], spice: ['spice-html5'], serial: ['serial'], rdp: ['rdp-html5'], mks: ['webmks'] };
      if (!rc || typeof rc.protocol !== 'string' || typeof rc.type !== 'string' || !valid[rc.protocol]?.includes(rc.type)) {
        throw new SimServiceError(400, `Invalid input for field/attribute remote_console. Value: ${JSON.stringify(rc ?? null)}.`);
      }
      if (rc.protocol === 'rdp' || rc.protocol === 'mks') throw new SimServiceError(400, `Unsupported console type ${rc.type}`);
      const server = s.servers.get(ctx, params(req).server_id);
      return { remote_console: { protocol: rc.protocol, type: rc.type, url: s.actions.consoleUrl(server, rc.type) } };
    },
    { minVersion: '2.6' },
  );

  r.get('/servers/:server_id/os-server-password', (ctx, req) => {
    s.servers.get(ctx, params(req).server_id);
    return { password: '' };
  });
  r.delete('/servers/:server_id/os-server-password', (ctx, req, reply) => {
    s.servers.get(ctx, params(req).server_id);
    return reply.code(204).send();
  });

  r.get('/servers/:server_id/ips', (ctx, req) => ({ addresses: parts.ips(ctx, params(req).server_id) }));
  r.get('/servers/:server_id/ips/:network', (ctx, req) => parts.ipsOfNetwork(ctx, params(req).server_id, params(req).network));

  r.get('/servers/:server_id/metadata', (ctx, req) => ({ metadata: { ...s.servers.get(ctx, params(req).server_id).metadata } }));
  r.post('/servers/:server_id/metadata', (ctx, req) => ({ metadata: parts.replaceMetadata(ctx, params(req).server_id, req.body, true) }));
  r.put('/servers/:server_id/metadata', (ctx, req) => ({ metadata: parts.replaceMetadata(ctx, params(req).server_id, req.body, false) }));
  r.get('/servers/:server_id/metadata/:key', (ctx, req) => ({ meta: parts.getMetadataItem(ctx, params(req).server_id, params(req).key) }));
  r.put('/servers/:server_id/metadata/:key', (ctx, req) => ({
    meta: parts.setMetadataItem(ctx, params(req).server_id, params(req).key, req.body),
  }));
  r.delete('/servers/:server_id/metadata/:key', (ctx, req, reply) => {
    parts.deleteMetadataItem(ctx, params(req).server_id, params(req).key);
    return reply.code(204).send();
  });

  const tags = { minVersion: '2.26' };
  r.get('/servers/:server_id/tags', (ctx, req) => ({ tags: [...s.servers.get(ctx, params(req).server_id).tags] }), tags);
  r.put('/servers/:server_id/tags', (ctx, req) => ({ tags: parts.replaceTags(ctx, params(req).server_id, req.body) }), tags);
  r.delete(
    '/servers/:server_id/tags',
    (ctx, req, reply) => {
      parts.clearTags(ctx, params(req).server_id);
      return reply.code(204).send();
    },
    tags,
  );
  r.get(
    '/servers/:server_id/tags/:tag',
    (ctx, req, reply) => {
      parts.hasTag(ctx, params(req).server_id, params(req).tag);
      return reply.code(204).send();
    },
    tags,
  );
  r.put(
    '/servers/:server_id/tags/:tag',
    (ctx, req, reply) => {
      const { server_id: id, tag } = params(req);
      if (parts.addTag(ctx, id, tag)) {
        reply.header('location', links.versioned(ctx, `servers/${id}/tags/${encodeURIComponent(tag)}`));
        return reply.code(201).send();
      }
      return reply.code(204).send();
    },
    tags,
  );
  r.delete(
    '/servers/:server_id/tags/:tag',
    (ctx, req, reply) => {
      parts.deleteTag(ctx, params(req).server_id, params(req).tag);
      return reply.code(204).send();
    },
    tags,
  );

  r.get('/servers/:server_id/os-instance-actions', (ctx, req) => {
    const { actions, server, full } = parts.listActions(ctx, params(req).server_id, query(req));
    const body: Record<string, unknown> = { instanceActions: actions.map((a) => views.instanceAction(ctx, server, a, false)) };
    if (full) {
      const href = nextLink(links.versioned(ctx, `servers/${server.id}/os-instance-actions`), rawQueryOf(req.url), actions[actions.length - 1].requestId);
      body.links = [{ href, rel: 'next' }];
    }
    return body;
  });
  r.get('/servers/:server_id/os-instance-actions/:request_id', (ctx, req) => {
    const { action, server } = parts.getAction(ctx, params(req).server_id, params(req).request_id);
    return { instanceAction: views.instanceAction(ctx, server, action, true) };
  });

  r.get('/servers/:server_id/os-interface', (ctx, req) => ({ interfaceAttachments: parts.interfaces(ctx, params(req).server_id) }));
  r.post('/servers/:server_id/os-interface', (ctx, req) => ({
    interfaceAttachment: parts.attachInterface(ctx, params(req).server_id, req.body),
  }));
  r.get('/servers/:server_id/os-interface/:port_id', (ctx, req) => ({
    interfaceAttachment: parts.getInterface(ctx, params(req).server_id, params(req).port_id),
  }));
  r.delete('/servers/:server_id/os-interface/:port_id', (ctx, req, reply) => {
    parts.detachInterface(ctx, params(req).server_id, params(req).port_id);
    return reply.code(202).send();
  });

  r.get('/servers/:server_id/os-volume_attachments', (ctx, req) => ({
    volumeAttachments: parts.volumeAttachments(ctx, params(req).server_id, query(req)),
  }));
  r.post('/servers/:server_id/os-volume_attachments', (ctx, req) => ({
    volumeAttachment: parts.attachVolume(ctx, params(req).server_id, req.body),
  }));
  r.get('/servers/:server_id/os-volume_attachments/:volume_id', (ctx, req) => ({
    volumeAttachment: parts.getVolumeAttachment(ctx, params(req).server_id, params(req).volume_id),
  }));
  r.put('/servers/:server_id/os-volume_attachments/:volume_id', (ctx, req, reply) => {
    parts.updateVolumeAttachment(ctx, params(req).server_id, params(req).volume_id, req.body);
    return reply.code(202).send();
  });
  r.delete('/servers/:server_id/os-volume_attachments/:volume_id', (ctx, req, reply) => {
    parts.detachVolume(ctx, params(req).server_id, params(req).volume_id);
    return reply.code(202).send();
  });
}
