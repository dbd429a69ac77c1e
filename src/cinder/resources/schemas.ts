import { Type, anyType, nullable, since, type Static } from '../../gateway/index.js';
import { booleanLike, keyValueMap, nameOrNull, nullableBooleanLike, nullableKeyValueMap, uuidOrNull } from '../parameters.js';

// Request bodies of snapshots, backups, transfers and attachments (cinder/api/schemas/*.py).

const uuid = Type.String({ format: 'uuid' });
const optional = <T extends Parameters<typeof Type.Optional>[0]>(t: T) => Type.Optional(t);

export const SnapshotCreate = Type.Object(
  {
    snapshot: Type.Object(
      {
        // Cinder's schema allows null here; the lookup then fails with 404 (tempest checks it).
        volume_id: uuidOrNull,
        name: optional(nameOrNull),
        display_name: optional(nameOrNull),
        description: optional(nameOrNull),
        display_description: optional(nameOrNull),
        force: optional(booleanLike),
        metadata: optional(nullableKeyValueMap),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SnapshotCreateBody = Static<typeof SnapshotCreate>;

export const SnapshotUpdate = Type.Object(
  {
    snapshot: Type.Object(
      { name: optional(nameOrNull), display_name: optional(nameOrNull), description: optional(nameOrNull), display_description: optional(nameOrNull) },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);

export const MetadataBody = Type.Object({ metadata: keyValueMap }, { additionalProperties: false });
export const MetaItemBody = Type.Object({ meta: keyValueMap }, { additionalProperties: false });

export const BackupCreate = Type.Object(
  {
    backup: Type.Object(
      {
        volume_id: uuid,
        container: optional(nameOrNull),
        description: optional(nameOrNull),
        incremental: optional(nullableBooleanLike),
        force: optional(nullableBooleanLike),
        name: optional(nameOrNull),
        snapshot_id: optional(uuidOrNull),
        metadata: since('3.43', nullableKeyValueMap),
        availability_zone: since('3.51', nameOrNull),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type BackupCreateBody = Static<typeof BackupCreate>;

export const BackupUpdate = Type.Object(
  {
    backup: Type.Object({ name: optional(nameOrNull), description: optional(nameOrNull), metadata: since('3.43', nullableKeyValueMap) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const BackupRestore = Type.Object(
  { restore: nullable(Type.Object({ volume_id: optional(uuidOrNull), name: optional(nameOrNull) }, { additionalProperties: false })) },
  { additionalProperties: false },
);
export type BackupRestoreBody = Static<typeof BackupRestore>;

export const BackupImport = Type.Object(
  {
    'backup-record': Type.Object({ backup_service: Type.String({ minLength: 1, maxLength: 255 }), backup_url: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type BackupImportBody = Static<typeof BackupImport>;

export const TransferCreate = Type.Object(
  {
    transfer: Type.Object({ volume_id: uuid, name: optional(nameOrNull), no_snapshots: since('3.55', booleanLike) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type TransferCreateBody = Static<typeof TransferCreate>;

export const TransferAccept = Type.Object(
  { accept: Type.Object({ auth_key: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

export const AttachmentCreate = Type.Object(
  {
    attachment: Type.Object(
      {
        volume_uuid: uuid,
        instance_uuid: optional(uuidOrNull),
        connector: optional(anyType(['object', 'null'])),
        mode: since('3.54', Type.Union([Type.Literal('rw'), Type.Literal('ro')])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type AttachmentCreateBody = Static<typeof AttachmentCreate>;

export const AttachmentUpdate = Type.Object(
  { attachment: Type.Object({ connector: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

/** `POST .../action`: one action name with its argument. */
export const ActionBody = Type.Object({}, { additionalProperties: true, minProperties: 1 });
