import { Type, anyType, byVersion, nullable, since, stringEnum, upTo, type Static } from '../../gateway/index.js';
import { booleanLike, descriptionString, metadataMap, nameString, positiveIntLike, serverTag, uuidString } from '../parameters.js';

// Request bodies of /servers, field for field as upstream's schemas (nova/api/openstack/compute/schemas/servers.py).

const imageRef = Type.Union([Type.String({ format: 'uuid' }), Type.String({ maxLength: 0 })]);
const flavorRef = anyType(['string', 'integer'], { minLength: 1 });
const ipAddress = Type.String({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] });
const diskConfig = stringEnum(['AUTO', 'MANUAL']);
const hostname = Type.String({ minLength: 2, maxLength: 255, pattern: '^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$' });
const personality = Type.Array(Type.Object({ path: Type.Optional(Type.String()), contents: Type.Optional(Type.String({ format: 'base64' })) }, { additionalProperties: false }));

const blockDevice = Type.Object(
  {
    source_type: Type.Optional(stringEnum(['volume', 'image', 'snapshot', 'blank'])),
    uuid: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' })),
    image_id: Type.Optional(uuidString),
    destination_type: Type.Optional(stringEnum(['local', 'volume'])),
    guest_format: Type.Optional(Type.String({ maxLength: 255 })),
    device_type: Type.Optional(Type.String({ maxLength: 255 })),
    disk_bus: Type.Optional(Type.String({ maxLength: 255 })),
    boot_index: Type.Optional(anyType(['integer', 'string', 'null'], { pattern: '^-?[0-9]+$' })),
    device_name: Type.Optional(Type.String({ maxLength: 255 })),
    delete_on_termination: Type.Optional(booleanLike),
    no_device: Type.Optional(Type.Unknown()),
    connection_info: Type.Optional(Type.String({ maxLength: 16777215 })),
    snapshot_id: Type.Optional(uuidString),
    volume_id: Type.Optional(uuidString),
    volume_size: Type.Optional(anyType(['integer', 'string'], { pattern: '^[0-9]+$', minimum: 1 })),
    tag: since('2.32', serverTag),
    volume_type: since('2.67', nullable(Type.String({ minLength: 0, maxLength: 255 }))),
  },
  { additionalProperties: false },
);

const network = Type.Object(
  {
    fixed_ip: Type.Optional(ipAddress),
    port: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    uuid: Type.Optional(Type.String()),
    tag: since('2.32', serverTag),
  },
  { additionalProperties: false },
);
const networkList = Type.Array(network);

/** The fields of a server create; `networks` is added per microversion below. */
const serverFields = {
  name: nameString,
  imageRef: Type.Optional(imageRef),
  flavorRef,
  adminPass: Type.Optional(Type.String()),
  metadata: Type.Optional(metadataMap),
  'OS-DCF:diskConfig': Type.Optional(diskConfig),
  accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
  accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
  availability_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 255, format: 'name' })),
  block_device_mapping: Type.Optional(Type.Array(Type.Unknown())),
  block_device_mapping_v2: Type.Optional(Type.Array(blockDevice)),
  config_drive: Type.Optional(booleanLike),
  key_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  min_count: Type.Optional(positiveIntLike),
  max_count: Type.Optional(positiveIntLike),
  return_reservation_id: Type.Optional(booleanLike),
  security_groups: Type.Optional(Type.Array(Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, { additionalProperties: false }))),
  user_data: Type.Optional(Type.String({ format: 'base64', maxLength: 65535 })),
  personality: upTo('2.56', personality),
  description: since('2.19', descriptionString),
  tags: since('2.52', Type.Array(serverTag, { maxItems: 50 })),
  trusted_image_certificates: since('2.63', anyType(['array', 'null'], { minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } })),
  host: since('2.74', Type.String({ minLength: 1, maxLength: 255 })),
  hypervisor_hostname: since('2.74', Type.String({ minLength: 1, maxLength: 255 })),
  hostname: since('2.90', hostname),
};

const schedulerHints = {
  'os:scheduler_hints': Type.Optional(Type.Object({})),
  'OS-SCH-HNT:scheduler_hints': Type.Optional(Type.Object({})),
};

/** `POST /servers`: `networks` becomes required (and may be "none" or "auto") at 2.37. */
export const ServerCreate = Type.Object(
  {
    server: byVersion({
      '2.1': Type.Object({ ...serverFields, networks: Type.Optional(networkList) }, { additionalProperties: false }),
      '2.37': Type.Object({ ...serverFields, networks: Type.Union([networkList, stringEnum(['none', 'auto'])]) }, { additionalProperties: false }),
    }),
    ...schedulerHints,
  },
  { additionalProperties: false },
);
export type ServerCreateBody = Static<typeof ServerCreate>;
export type ServerCreateFields = ServerCreateBody['server'];

/** `PUT /servers/{id}`. */
export const ServerUpdate = Type.Object(
  {
    server: Type.Object(
      {
        name: Type.Optional(nameString),
        'OS-DCF:diskConfig': Type.Optional(diskConfig),
        accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
        accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
        description: since('2.19', descriptionString),
        hostname: since('2.90', hostname),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ServerUpdateBody = Static<typeof ServerUpdate>;
