import type { GatewayRouter } from '../../gateway/index.js';
import type { VolumeActions } from './actions.js';
import type { VolumeCreator } from './create.js';
import type { VolumeLister } from './list.js';
import { VolumeCreate } from './schemas.js';
import type { VolumeService } from './service.js';

export function volumeRoutes(r: GatewayRouter, s: { creator: VolumeCreator; lister: VolumeLister; volumes: VolumeService; actions: VolumeActions }): void {
  const { creator, lister, volumes, actions } = s;

  r.get('/volumes', (call) => lister.list(call, false));
  r.get('/volumes/detail', (call) => lister.list(call, true));
  r.get('/volumes/summary', (call) => lister.summary(call));
  r.post('/volumes', (call) => creator.create(call), { body: VolumeCreate });

  r.get('/volumes/:volume_id', (call) => volumes.show(call, call.params.volume_id));
  r.put('/volumes/:volume_id', (call) => volumes.update(call, call.params.volume_id, call.body));
  r.delete('/volumes/:volume_id', (call) => volumes.remove(call, call.params.volume_id));

  r.get('/volumes/:volume_id/metadata', (call) => volumes.metadata(call, call.params.volume_id, 'GET', undefined, call.body));
  r.post('/volumes/:volume_id/metadata', (call) => volumes.metadata(call, call.params.volume_id, 'POST', undefined, call.body));
  r.put('/volumes/:volume_id/metadata', (call) => volumes.metadata(call, call.params.volume_id, 'PUT', undefined, call.body));
  r.get('/volumes/:volume_id/metadata/:key', (call) => volumes.metadata(call, call.params.volume_id, 'GET', call.params.key, call.body));
  r.put('/volumes/:volume_id/metadata/:key', (call) => volumes.metadata(call, call.params.volume_id, 'PUT', call.params.key, call.body));
  r.delete('/volumes/:volume_id/metadata/:key', (call) => volumes.metadata(call, call.params.volume_id, 'DELETE', call.params.key, call.body));

  r.post('/volumes/:volume_id/action', (call) => actions.perform(call, call.params.volume_id, call.body));
}
