import type { Microversion } from '../microversion.js';
import { booleanSchema, keyValueSchema, type Schema } from '../validation.js';

const nameOrNull: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
const optionalUuid: Schema = { type: ['string', 'null'], format: 'uuid' };
const size: Schema = { type: ['integer', 'string', 'null'], pattern: '^[0-9]+$', minimum: 1, maximum: 2147483647 };

/** Cinder's volume-create body schema for the microversion (group_id 3.13, backup_id 3.47, strict 3.53). */
export function volumeCreateSchema(version: Microversion): Schema {
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
          volume_type: nameOrNull,
          metadata: { ...keyValueSchema, type: ['object', 'null'] },
          snapshot_id: optionalUuid,
          source_volid: optionalUuid,
          consistencygroup_id: optionalUuid,
          size,
          availability_zone: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
          multiattach: { ...booleanSchema, type: ['boolean', 'string', 'null'], enum: [...(booleanSchema.enum ?? []), null] },
          image_id: nameOrNull,
          imageRef: nameOrNull,
          ...(version.ge('3.13') ? { group_id: nameOrNull } : {}),
          ...(version.ge('3.47') ? { backup_id: optionalUuid } : {}),
        },
        additionalProperties: !version.ge('3.53'),
      },
      'OS-SCH-HNT:scheduler_hints': { type: ['object', 'null'] },
    },
    required: ['volume'],
    additionalProperties: false,
  };
}
