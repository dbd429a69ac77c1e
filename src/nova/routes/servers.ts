import type { FastifyRequest } from 'fastify';
import type { NovaRouter } from '../http.js';
import type { ServerCreateFlow } from '../servers/create.js';
import type { ServerLister } from '../servers/list.js';
import type { ServerOps } from '../servers/single.js';
import { UNAVAILABLE_PODS_HEADER, sendRelayed } from './reply.js';

const p = (req: FastifyRequest) => req.params as Record<string, string>;

export interface ServerRouteServices {
  lister: ServerLister;
  create: ServerCreateFlow;
  ops: ServerOps;
}

/** `/servers`, one server, its actions and its sub-resources. */
export function serverRoutes(r: NovaRouter, s: ServerRouteServices): void {
  const list = (detail: boolean) =>
    r.get(detail ? '/servers/detail' : '/servers', async (call, _req, reply) => {
      const page = await s.lister.list(call, detail);
      if (page.unavailablePods.length > 0) reply.header(UNAVAILABLE_PODS_HEADER, page.unavailablePods.join(','));
      return reply.type('application/json').send(page.body);
    });
  list(false);
  list(true);

  r.post('/servers', async (call, req, reply) => sendRelayed(reply, await s.create.create(call, req.body)));
  r.get('/servers/:server_id', async (call, req, reply) => sendRelayed(reply, await s.ops.show(call, p(req).server_id)));
  r.put('/servers/:server_id', async (call, req, reply) => sendRelayed(reply, await s.ops.update(call, p(req).server_id, req.body)));
  r.delete('/servers/:server_id', async (call, req, reply) => sendRelayed(reply, await s.ops.delete(call, p(req).server_id)));
  r.post('/servers/:server_id/action', async (call, req, reply) => sendRelayed(reply, await s.ops.action(call, p(req).server_id, req.body)));

  // Sub-resources a pod serves on its own: forwarded verbatim (path below the server, query, body).
  const forward = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, sub: (params: Record<string, string>) => string, opts?: { minVersion?: string; maxVersion?: string }) =>
    r.route(
      method,
      `/servers/:server_id${path}`,
      async (call, req, reply) => sendRelayed(reply, await s.ops.subresource(call, p(req).server_id, method, sub(p(req)), method === 'GET' || method === 'DELETE' ? undefined : req.body)),
      opts,
    );
  const seg = encodeURIComponent;

  forward('GET', '/ips', () => '/ips');
  r.get('/servers/:server_id/ips/:network_label', async (call, req, reply) => sendRelayed(reply, await s.ops.ipsOfNetwork(call, p(req).server_id, p(req).network_label)));

  forward('GET', '/metadata', () => '/metadata');
  forward('POST', '/metadata', () => '/metadata');
  forward('PUT', '/metadata', () => '/metadata');
  forward('GET', '/metadata/:key', (q) => `/metadata/${seg(q.key)}`);
  forward('PUT', '/metadata/:key', (q) => `/metadata/${seg(q.key)}`);
  forward('DELETE', '/metadata/:key', (q) => `/metadata/${seg(q.key)}`);

  const tags = { minVersion: '2.26' };
  forward('GET', '/tags', () => '/tags', tags);
  forward('PUT', '/tags', () => '/tags', tags);
  forward('DELETE', '/tags', () => '/tags', tags);
  forward('GET', '/tags/:tag', (q) => `/tags/${seg(q.tag)}`, tags);
  forward('PUT', '/tags/:tag', (q) => `/tags/${seg(q.tag)}`, tags);
  forward('DELETE', '/tags/:tag', (q) => `/tags/${seg(q.tag)}`, tags);

  forward('GET', '/os-instance-actions', () => '/os-instance-actions');
  forward('GET', '/os-instance-actions/:request_id', (q) => `/os-instance-actions/${seg(q.request_id)}`);

  forward('GET', '/os-server-password', () => '/os-server-password');
  forward('DELETE', '/os-server-password', () => '/os-server-password');
  r.get('/servers/:server_id/os-security-groups', async (call, req, reply) => sendRelayed(reply, await s.ops.securityGroups(call, p(req).server_id)));
  forward('GET', '/diagnostics', () => '/diagnostics');
  forward('GET', '/topology', () => '/topology', { minVersion: '2.78' });
  forward('GET', '/os-virtual-interfaces', () => '/os-virtual-interfaces', { maxVersion: '2.43' });
  forward('POST', '/remote-consoles', () => '/remote-consoles', { minVersion: '2.6' });
  forward('GET', '/migrations', () => '/migrations', { minVersion: '2.23' });
  forward('GET', '/migrations/:migration_id', (q) => `/migrations/${seg(q.migration_id)}`, { minVersion: '2.23' });
  forward('DELETE', '/migrations/:migration_id', (q) => `/migrations/${seg(q.migration_id)}`, { minVersion: '2.24' });
  forward('POST', '/migrations/:migration_id/action', (q) => `/migrations/${seg(q.migration_id)}/action`, { minVersion: '2.22' });

  r.get('/servers/:server_id/os-volume_attachments', async (call, req, reply) =>
    sendRelayed(reply, await s.ops.subresource(call, p(req).server_id, 'GET', '/os-volume_attachments')),
  );
  r.post('/servers/:server_id/os-volume_attachments', async (call, req, reply) => sendRelayed(reply, await s.ops.attachVolume(call, p(req).server_id, req.body)));
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    r.route(method, '/servers/:server_id/os-volume_attachments/:volume_id', async (call, req, reply) =>
      sendRelayed(reply, await s.ops.volumeAttachment(call, p(req).server_id, p(req).volume_id, method, method === 'PUT' ? req.body : undefined)),
    );
  }

  r.get('/servers/:server_id/os-interface', async (call, req, reply) => sendRelayed(reply, await s.ops.interfaces(call, p(req).server_id)));
  r.get('/servers/:server_id/os-interface/:port_id', async (call, req, reply) => sendRelayed(reply, await s.ops.interfaces(call, p(req).server_id, p(req).port_id)));
  r.post('/servers/:server_id/os-interface', async (call, req, reply) => sendRelayed(reply, await s.ops.attachInterface(call, p(req).server_id, req.body)));
  r.delete('/servers/:server_id/os-interface/:port_id', async (call, req, reply) => sendRelayed(reply, await s.ops.detachInterface(call, p(req).server_id, p(req).port_id)));
}
