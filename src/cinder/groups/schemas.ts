import { Type, nullable, type Static } from '../../gateway/index.js';
import { booleanLike } from '../parameters.js';

// Request bodies of /groups and /group_snapshots, as upstream's group schemas.

const text = Type.Optional(nullable(Type.String({ maxLength: 255 })));

export const GroupCreate = Type.Object(
  {
    group: Type.Object(
      {
        name: text,
        description: text,
        group_type: Type.String({ minLength: 1, maxLength: 255 }),
        volume_types: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1 }),
        availability_zone: text,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type GroupCreateBody = Static<typeof GroupCreate>;

export const GroupUpdate = Type.Object(
  {
    group: Type.Object(
      {
        name: text,
        description: text,
        add_volumes: Type.Optional(nullable(Type.String())),
        remove_volumes: Type.Optional(nullable(Type.String())),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type GroupUpdateBody = Static<typeof GroupUpdate>;

export const GroupFromSource = Type.Object(
  {
    'create-from-src': Type.Object(
      {
        name: text,
        description: text,
        group_snapshot_id: Type.Optional(nullable(Type.String())),
        source_group_id: Type.Optional(nullable(Type.String())),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type GroupFromSourceBody = Static<typeof GroupFromSource>;

/** `POST /groups/{id}/action`: exactly one action. */
export const GroupAction = Type.Object(
  {
    delete: Type.Optional(Type.Object({ 'delete-volumes': Type.Optional(booleanLike) }, { additionalProperties: false })),
    reset_status: Type.Optional(Type.Object({ status: Type.String() })),
  },
  { additionalProperties: true, minProperties: 1, maxProperties: 1 },
);

export const GroupSnapshotCreate = Type.Object(
  {
    group_snapshot: Type.Object(
      {
        group_id: Type.String({ minLength: 1 }),
        name: text,
        description: text,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type GroupSnapshotCreateBody = Static<typeof GroupSnapshotCreate>;

export const GroupSnapshotAction = Type.Object({ reset_status: Type.Object({ status: Type.String() }) }, { additionalProperties: false });
