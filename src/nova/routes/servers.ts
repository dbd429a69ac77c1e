import type { GatewayRouter } from '../../gateway/index.js';
import type { ServerCreateFlow } from '../servers/create.js';
import type { ServerLister } from '../servers/list.js';
import { ServerCreate, ServerUpdate } from '../servers/schemas.js';
import type { ServerOps } from '../servers/single.js';
import { UNAVAILABLE_PODS_HEADER } from './reply.js';

export interface ServerRouteServices {
  lister: ServerLister;
  create: ServerCreateFlow;
  ops: ServerOps;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** `/servers`, one server, its actions and its sub-resources. Pod answers are relayed as they come back from the services. */
export function serverRoutes(r: GatewayRouter, s: ServerRouteServices): void {
  for (const detail of [false, true]) {
    r.get(detail ? '/servers/detail' : '/servers', async (call) => {
      const page = await s.lister.list(call, detail);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (page.unavailablePods.length > 0) headers[UNAVAILABLE_PODS_HEADER] = page.unavailablePods.join(',');
      return { status: 200, headers, body: Buffer.from(page.body) };
    });
  }

  r.post('/servers', (call) => s.create.create(call), { body: ServerCreate });
  r.get('/servers/:server_id', (call) => s.ops.show(call, call.params.server_id));
  r.put('/servers/:server_id', (call) => s.ops.update(call, call.params.server_id), { body: ServerUpdate });
  r.delete('/servers/:server_id', (call) => s.ops.delete(call, call.params.server_id));
  r.post('/servers/:server_id/action', (call) => s.ops.action(call, call.params.server_id, call.body));

  // Sub-resources a pod serves on its own: forwarded verbatim (path below the server, query, body).
  const seg = encodeURIComponent;
  const forward = (method: Method, path: string, sub: (params: Record<string, string>) => string, opts?: { minVersion?: string; maxVersion?: string }) =>
    r.route({
      ...opts,
      method,
      path: `/servers/:server_id${path}`,
      handler: (call) => s.ops.subresource(call, call.params.server_id, method, sub(call.params), method === 'GET' || method === 'DELETE' ? undefined : call.body),
    });

  forward('GET', '/ips', () => '/ips');
  r.get('/servers/:server_id/ips/:network_label', (call) => s.ops.ipsOfNetwork(call, call.params.server_id, call.params.network_label));

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

  r.get('/servers/:server_id/os-instance-actions', (call) => s.ops.instanceActions(call, call.params.server_id, '/os-instance-actions'));
  r.get('/servers/:server_id/os-instance-actions/:request_id', (call) => s.ops.instanceActions(call, call.params.server_id, `/os-instance-actions/${seg(call.params.request_id)}`));

  forward('GET', '/os-server-password', () => '/os-server-password');
  forward('DELETE', '/os-server-password', () => '/os-server-password');
  r.get('/servers/:server_id/os-security-groups', (call) => s.ops.securityGroups(call, call.params.server_id));
  forward('GET', '/diagnostics', () => '/diagnostics');
  forward('GET', '/topology', () => '/topology', { minVersion: '2.78' });
  forward('GET', '/os-virtual-interfaces', () => '/os-virtual-interfaces', { maxVersion: '2.43' });
  forward('POST', '/remote-consoles', () => '/remote-consoles', { minVersion: '2.6' });
  forward('GET', '/migrations', () => '/migrations', { minVersion: '2.23' });
  forward('GET', '/migrations/:migration_id', (q) => `/migrations/${seg(q.migration_id)}`, { minVersion: '2.23' });
  forward('DELETE', '/migrations/:migration_id', (q) => `/migrations/${seg(q.migration_id)}`, { minVersion: '2.24' });
  forward('POST', '/migrations/:migration_id/action', (q) => `/migrations/${seg(q.migration_id)}/action`, { minVersion: '2.22' });

  r.get('/servers/:server_id/os-volume_attachments', (call) => s.ops.subresource(call, call.params.server_id, 'GET', '/os-volume_attachments'));
  r.post('/servers/:server_id/os-volume_attachments', (call) => s.ops.attachVolume(call, call.params.server_id, call.body));
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    r.route({
      method,
      path: '/servers/:server_id/os-volume_attachments/:volume_id',
      handler: (call) => s.ops.volumeAttachment(call, call.params.server_id, call.params.volume_id, method, method === 'PUT' ? call.body : undefined),
    });
  }

  r.get('/servers/:server_id/os-interface', (call) => s.ops.interfaces(call, call.params.server_id));
  r.get('/servers/:server_id/os-interface/:port_id', (call) => s.ops.interfaces(call, call.params.server_id, call.params.port_id));
  r.post('/servers/:server_id/os-interface', (call) => s.ops.attachInterface(call, call.params.server_id, call.body));
  r.delete('/servers/:server_id/os-interface/:port_id', (call) => s.ops.detachInterface(call, call.params.server_id, call.params.port_id));
}
