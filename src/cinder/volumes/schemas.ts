import { Type, anyType, byVersion, nullable, since, type Static } from '../../gateway/index.js';
import { nameOrNull, nullableBooleanLike, nullableKeyValueMap, uuidOrNull } from '../parameters.js';

const volumeFields = {
  name: Type.Optional(nameOrNull),
  description: Type.Optional(nameOrNull),
  display_name: Type.Optional(nameOrNull),
  display_description: Type.Optional(nameOrNull),
  volume_type: Type.Optional(nameOrNull),
  metadata: Type.Optional(nullableKeyValueMap),
  snapshot_id: Type.Optional(uuidOrNull),
  source_volid: Type.Optional(uuidOrNull),
  consistencygroup_id: Type.Optional(uuidOrNull),
  size: Type.Optional(anyType(['integer', 'string', 'null'], { pattern: '^[0-9]+$', minimum: 1, maximum: 2147483647 })),
  availability_zone: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 255 }))),
  multiattach: Type.Optional(nullableBooleanLike),
  image_id: Type.Optional(nameOrNull),
  imageRef: Type.Optional(nameOrNull),
  group_id: since('3.13', nameOrNull),
  backup_id: since('3.47', uuidOrNull),
};

/** `POST /volumes` (cinder/api/schemas/volumes.py): other fields are let through until 3.53. */
export const VolumeCreate = Type.Object(
  {
    volume: byVersion({
      '3.0': Type.Object(volumeFields, { additionalProperties: true }),
      '3.53': Type.Object(volumeFields, { additionalProperties: false }),
    }),
    'OS-SCH-HNT:scheduler_hints': Type.Optional(anyType(['object', 'null'])),
  },
  { additionalProperties: false },
);
export type VolumeCreateBody = Static<typeof VolumeCreate>;
