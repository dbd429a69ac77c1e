import { Type, nullable } from '../../gateway/index.js';
import { booleanLike, keyValueMap } from '../parameters.js';

// Request bodies of /types (cinder/api/schemas/volume_types.py and friends).

const description = Type.Optional(nullable(Type.String({ minLength: 0, maxLength: 255 })));

export const TypeCreate = Type.Object(
  {
    volume_type: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255 }),
        description,
        'os-volume-type-access:is_public': Type.Optional(booleanLike),
        extra_specs: Type.Optional(keyValueMap),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const TypeUpdate = Type.Object(
  {
    volume_type: Type.Object(
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

export const ExtraSpecs = Type.Object({ extra_specs: keyValueMap }, { additionalProperties: false });

const projectAccess = Type.Object({ project: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });

/** `POST /types/{id}/action` adding a project. */
export const AddProjectAccess = Type.Object({ addProjectAccess: projectAccess }, { additionalProperties: false });
/** `POST /types/{id}/action` removing a project. */
export const RemoveProjectAccess = Type.Object({ removeProjectAccess: projectAccess }, { additionalProperties: false });
