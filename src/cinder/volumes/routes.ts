import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cinderRoute } from '../http.js';
import type { VolumeActions } from './actions.js';
import type { VolumeCreator } from './create.js';
import type { VolumeLister } from './list.js';
import type { VolumeService } from './service.js';

const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name];

export function volumeRoutes(app: FastifyInstance, s: { creator: VolumeCreator; lister: VolumeLister; volumes: VolumeService; actions: VolumeActions }): void {
  const { creator, lister, volumes, actions } = s;

  cinderRoute(app, 'GET', '/volumes', (call) => lister.list(call, false));
  cinderRoute(app, 'GET', '/volumes/detail', (call) => lister.list(call, true));
  cinderRoute(app, 'GET', '/volumes/summary', (call) => lister.summary(call));
  cinderRoute(app, 'POST', '/volumes', (call, req) => creator.create(call, req.body));

  cinderRoute(app, 'GET', '/volumes/:volume_id', (call, req) => volumes.show(call, param(req, 'volume_id')));
  cinderRoute(app, 'PUT', '/volumes/:volume_id', (call, req) => volumes.update(call, param(req, 'volume_id'), req.body));
  cinderRoute(app, 'DELETE', '/volumes/:volume_id', (call, req) => volumes.remove(call, param(req, 'volume_id')));

  for (const method of ['GET', 'POST', 'PUT'] as const) {
    cinderRoute(app, method, '/volumes/:volume_id/metadata', (call, req) => volumes.metadata(call, param(req, 'volume_id'), method, undefined, req.body));
  }
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    cinderRoute(app, method, '/volumes/:volume_id/metadata/:key', (call, req) =>
      volumes.metadata(call, param(req, 'volume_id'), method, param(req, 'key'), req.body),
    );
  }

  cinderRoute(app, 'POST', '/volumes/:volume_id/action', (call, req) => actions.perform(call, param(req, 'volume_id'), req.body));
}
