import { Type, nullable } from '../../gateway/index.js';
import { booleanLike, keyValueMap } from '../parameters.js';

// Request bodies of /group_types (3.11+), as upstream's group type schemas.

const description = Type.Optional(nullable(Type.String({ minLength: 0, maxLength: 255 })));

export const GroupTypeCreate = Type.Object(
  {
    group_type: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255 }),
        description,
        is_public: Type.Optional(booleanLike),
        group_specs: Type.Optional(keyValueMap),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const GroupTypeUpdate = Type.Object(
  {
    group_type: Type.Object(
      {
        name: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 255 }))),
        description,
        is_public: Type.Optional(booleanLike),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const GroupSpecs = Type.Object({ group_specs: keyValueMap }, { additionalProperties: false });
