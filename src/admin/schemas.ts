import { Type, anyType, keyedMap, nullable } from '../gateway/index.js';

/** Request bodies of the Admin API, validated by the gateway kit before a handler runs. */

/** A non-blank string (handlers trim it). */
const text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });
const closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T, keywords: Record<string, unknown> = {}) =>
  Type.Object(properties, { additionalProperties: false, ...keywords });

export const PodFields = closed({
  region_name: Type.Optional(Type.String({ maxLength: 255 })),
  pod_name: Type.Optional(Type.String({ maxLength: 255 })),
  az_name: Type.Optional(Type.String({ maxLength: 255 })),
  pod_az_name: Type.Optional(Type.String({ maxLength: 255 })),
  dc_name: Type.Optional(Type.String({ maxLength: 255 })),
  disabled: Type.Optional(anyType(['boolean', 'string'], { enum: [true, false, 'true', 'false', 'True', 'False', 'TRUE', 'FALSE'] })),
  endpoints: Type.Optional(keyedMap('^[a-z0-9-]{1,64}$', nullable(Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 })), { additionalProperties: false })),
});
/** `POST`/`PUT /v1.0/pods`. */
export const PodBody = closed({ pod: PodFields }, { required: ['pod'] });

const ROUTING = {
  top_id: text(127),
  bottom_id: text(127),
  pod_id: text(127),
  project_id: text(127),
  resource_type: text(127),
};
/** `POST /v1.0/routings`: every field. */
export const RoutingCreateBody = closed({ routing: closed(ROUTING) });
/** `PUT /v1.0/routings/{id}`: at least one field. */
export const RoutingUpdateBody = closed({
  routing: closed(
    {
      top_id: Type.Optional(text(127)),
      bottom_id: Type.Optional(text(127)),
      pod_id: Type.Optional(text(127)),
      project_id: Type.Optional(text(127)),
      resource_type: Type.Optional(text(127)),
    },
    { minProperties: 1 },
  ),
});

/** `POST /v1.0/bindings`. */
export const BindingBody = closed({
  pod_binding: closed({
    tenant_id: Type.Optional(Type.String({ maxLength: 255 })),
    project_id: Type.Optional(Type.String({ maxLength: 255 })),
    pod_id: Type.Optional(Type.String({ maxLength: 255 })),
  }),
});

/** `POST /v1.0/jobs`: the resource's fields are checked against the job type's schema by the handler. */
export const JobBody = closed({
  job: closed({
    type: text(64),
    project_id: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' }),
    resource: keyedMap('^.{1,64}$', Type.String({ minLength: 1, maxLength: 255, pattern: '^[^#]*[^#\\s][^#]*$' })),
  }),
});
