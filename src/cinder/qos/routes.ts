import { Type, type GatewayRouter } from '../../gateway/index.js';
import type { DefaultTypes } from '../types/defaults.js';
import type { QosService } from './service.js';

/** `POST /qos-specs` (cinder/api/schemas/qos_specs.py): a name, a consumer, any other key is a spec. */
const QosCreate = Type.Object(
  {
    qos_specs: Type.Object(
      { name: Type.String({ minLength: 1, maxLength: 255 }), consumer: Type.Optional(Type.String({ enum: ['front-end', 'back-end', 'both'] })) },
      // Any other key is a spec (its value is checked by the service: strings, numbers, booleans).
      { additionalProperties: true },
    ),
  },
  { additionalProperties: false },
);
const QosSet = Type.Object({ qos_specs: Type.Object({}, { additionalProperties: true, minProperties: 1 }) }, { additionalProperties: false });
const QosDeleteKeys = Type.Object({ keys: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1 }) }, { additionalProperties: false });
const DefaultTypeSet = Type.Object(
  { default_type: Type.Object({ volume_type: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

/** QoS specs (owned by the top, copied into pods with associated types): see docs/cinder-api.md. */
export function qosRoutes(r: GatewayRouter, qos: QosService): void {
  r.get('/qos-specs', (call) => qos.list(call));
  r.post('/qos-specs', (call) => qos.create(call), { body: QosCreate });
  r.get('/qos-specs/:id', (call) => qos.show(call, call.params.id));
  r.put('/qos-specs/:id', (call) => qos.update(call, call.params.id), { body: QosSet });
  r.delete('/qos-specs/:id', (call) => qos.remove(call, call.params.id));
  r.put('/qos-specs/:id/delete_keys', (call) => qos.deleteKeys(call, call.params.id), { body: QosDeleteKeys });
  r.get('/qos-specs/:id/associations', (call) => qos.associations(call, call.params.id));
  r.get('/qos-specs/:id/associate', (call) => qos.associate(call, call.params.id));
  r.get('/qos-specs/:id/disassociate', (call) => qos.disassociate(call, call.params.id));
  r.get('/qos-specs/:id/disassociate_all', (call) => qos.disassociateAll(call, call.params.id));
}

/** `/v3/default-types[/{project}]` (3.62+), served without a project in the URL as upstream. */
export function defaultTypeRoutes(r: GatewayRouter, defaults: DefaultTypes): void {
  const o = { minVersion: '3.62', prefixes: ['/v3'] };
  r.get('/default-types', (call) => defaults.list(call.ctx), o);
  r.get('/default-types/:target', (call) => defaults.get(call.ctx, call.params.target), o);
  r.put('/default-types/:target', (call) => defaults.set(call.ctx, call.params.target, call.body.default_type.volume_type), { ...o, body: DefaultTypeSet });
  r.delete('/default-types/:target', (call) => defaults.unset(call.ctx, call.params.target), o);
}
