// Request body schemas of the simulated Cinder.
import type { ApiVersion } from '../nova/apiutil.js';
import { booleanLike, type Schema } from '../nova/validate.js';

const uuidOrNull: Schema = { type: ['string', 'null'], format: 'uuid' };
const nameOrNull: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
const metadata: Schema = {
  type: ['object', 'null'],
  patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
};
const strictMetadata: Schema = { ...metadata, type: 'object' };
const positiveSize: Schema = { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1, maximum: 2147483647 };

export function volumeCreateSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      volume: {
        type: 'object',
        properties: {
          name: nameOrNull,
          description: nameOrNull,
          display_name: nameOrNull,
          display_description: nameOrNull,
          size: { ...positiveSize, type: ['integer', 'string', 'null'] },
          availability_zone: nameOrNull,
          source_volid: uuidOrNull,
          snapshot_id: uuidOrNull,
          volume_type: nameOrNull,
          metadata,
          imageRef: { type: ['string', 'null'] },
          image_id: { type: ['string', 'null'] },
          consistencygroup_id: uuidOrNull,
          multiattach: booleanLike,
          backup_id: uuidOrNull,
          ...(v.ge('3.13') ? { group_id: uuidOrNull } : {}),
        },
        // Cinder only forbids unknown volume attributes from 3.53 (clients send extra nulls before).
        additionalProperties: v.lt('3.53'),
      },
      'OS-SCH-HNT:scheduler_hints': { type: ['object', 'null'] },
    },
    required: ['volume'],
    additionalProperties: false,
  };
}

export const volumeUpdateSchema: Schema = {
  type: 'object',
  properties: {
    volume: {
      type: 'object',
      properties: {
        name: nameOrNull,
        description: nameOrNull,
        display_name: nameOrNull,
        display_description: nameOrNull,
        metadata,
      },
      additionalProperties: false,
    },
  },
  required: ['volume'],
  additionalProperties: false,
};

export const metadataBodySchema: Schema = {
  type: 'object',
  properties: { metadata: strictMetadata },
  required: ['metadata'],
  additionalProperties: false,
};

export const metaItemSchema: Schema = {
  type: 'object',
  properties: { meta: { ...strictMetadata, minProperties: 1, maxProperties: 1 } },
  required: ['meta'],
  additionalProperties: false,
};

export const extendSchema: Schema = {
  type: 'object',
  properties: { new_size: positiveSize },
  required: ['new_size'],
  additionalProperties: false,
};

export const resetStatusSchema: Schema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    attach_status: { type: 'string', enum: ['attached', 'detached'] },
    migration_status: { type: ['string', 'null'], enum: ['migrating', 'error', 'success', 'completing', 'none', 'starting', null] },
  },
  additionalProperties: false,
};

export const attachSchema: Schema = {
  type: 'object',
  properties: {
    instance_uuid: { type: 'string', format: 'uuid' },
    mountpoint: { type: 'string' },
    host_name: { type: 'string', maxLength: 255 },
    mode: { type: 'string', enum: ['rw', 'ro'] },
  },
  required: ['mountpoint'],
  additionalProperties: false,
};

export const detachSchema: Schema = {
  type: ['object', 'null'],
  properties: { attachment_id: { type: ['string', 'null'], format: 'uuid' } },
  additionalProperties: false,
};

export const forceDetachSchema: Schema = {
  type: ['object', 'null'],
  properties: { attachment_id: { type: ['string', 'null'] }, connector: { type: ['object', 'null'] } },
  additionalProperties: false,
};

export const setImageMetadataSchema: Schema = {
  type: 'object',
  properties: { metadata: strictMetadata },
  required: ['metadata'],
  additionalProperties: false,
};

export const unsetImageMetadataSchema: Schema = {
  type: 'object',
  properties: { key: { type: 'string', minLength: 1, maxLength: 255 } },
  required: ['key'],
  additionalProperties: false,
};

export const readonlySchema: Schema = {
  type: 'object',
  properties: { readonly: booleanLike },
  required: ['readonly'],
  additionalProperties: false,
};

export const bootableSchema: Schema = {
  type: 'object',
  properties: { bootable: booleanLike },
  required: ['bootable'],
  additionalProperties: false,
};

export const retypeSchema: Schema = {
  type: 'object',
  properties: { new_type: { type: 'string', minLength: 1, maxLength: 255 }, migration_policy: { type: ['string', 'null'], enum: ['never', 'on-demand', null] } },
  required: ['new_type'],
  additionalProperties: false,
};

export const connectorSchema: Schema = {
  type: 'object',
  properties: { connector: { type: ['object', 'null'] } },
  required: ['connector'],
  additionalProperties: false,
};

export const typeCreateSchema: Schema = {
  type: 'object',
  properties: {
    volume_type: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        description: nameOrNull,
        'os-volume-type-access:is_public': booleanLike,
        extra_specs: { type: 'object', additionalProperties: { type: 'string', maxLength: 255 } },
      },
      required: ['name'],
      additionalProperties: false,
    },
  },
  required: ['volume_type'],
  additionalProperties: false,
};

export const typeUpdateSchema: Schema = {
  type: 'object',
  properties: {
    volume_type: {
      type: 'object',
      properties: {
        name: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
        description: nameOrNull,
        is_public: booleanLike,
      },
      additionalProperties: false,
    },
  },
  required: ['volume_type'],
  additionalProperties: false,
};

export const extraSpecsBodySchema: Schema = {
  type: 'object',
  properties: { extra_specs: { type: 'object', patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } }, additionalProperties: false } },
  required: ['extra_specs'],
  additionalProperties: false,
};

export const quotaUpdateSchema: Schema = {
  type: 'object',
  properties: { quota_set: { type: 'object', additionalProperties: { type: ['integer', 'string'], pattern: '^-?[0-9]+$', minimum: -1 } } },
  required: ['quota_set'],
  additionalProperties: false,
};
