import type { ApiVersion } from '../microversion.js';
import {
  booleanLike,
  descriptionString,
  metadataMap,
  nameString,
  positiveIntLike,
  serverTag,
  uuidString,
  type Schema,
} from '../validation.js';

const imageRef: Schema = { oneOf: [{ type: 'string', format: 'uuid' }, { type: 'string', maxLength: 0 }] };
const flavorRef: Schema = { type: ['string', 'integer'], minLength: 1 };
const ipAddress: Schema = { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
const diskConfig: Schema = { type: 'string', enum: ['AUTO', 'MANUAL'] };
const hostname: Schema = { type: 'string', minLength: 2, maxLength: 255, pattern: '^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$' };
const personality: Schema = {
  type: 'array',
  items: { type: 'object', properties: { path: { type: 'string' }, contents: { type: 'string', format: 'base64' } }, additionalProperties: false },
};

function blockDevice(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      source_type: { type: 'string', enum: ['volume', 'image', 'snapshot', 'blank'] },
      uuid: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' },
      image_id: uuidString,
      destination_type: { type: 'string', enum: ['local', 'volume'] },
      guest_format: { type: 'string', maxLength: 255 },
      device_type: { type: 'string', maxLength: 255 },
      disk_bus: { type: 'string', maxLength: 255 },
      boot_index: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$' },
      device_name: { type: 'string', maxLength: 255 },
      delete_on_termination: booleanLike,
      no_device: {},
      connection_info: { type: 'string', maxLength: 16777215 },
      snapshot_id: uuidString,
      volume_id: uuidString,
      volume_size: { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1 },
      ...(v.ge('2.32') ? { tag: serverTag } : {}),
      ...(v.ge('2.67') ? { volume_type: { type: ['string', 'null'], minLength: 0, maxLength: 255 } } : {}),
    },
    additionalProperties: false,
  };
}

/** `POST /servers`, per microversion (upstream's schema, field for field). */
export function serverCreateSchema(v: ApiVersion): Schema {
  const network: Schema = {
    type: 'object',
    properties: {
      fixed_ip: ipAddress,
      port: { oneOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] },
      uuid: { type: 'string' },
      ...(v.ge('2.32') ? { tag: serverTag } : {}),
    },
    additionalProperties: false,
  };
  const networkList: Schema = { type: 'array', items: network };
  return {
    type: 'object',
    properties: {
      server: {
        type: 'object',
        properties: {
          name: nameString,
          imageRef,
          flavorRef,
          adminPass: { type: 'string' },
          metadata: metadataMap,
          networks: v.ge('2.37') ? { oneOf: [networkList, { type: 'string', enum: ['none', 'auto'] }] } : networkList,
          'OS-DCF:diskConfig': diskConfig,
          accessIPv4: { type: 'string', format: 'ipv4' },
          accessIPv6: { type: 'string', format: 'ipv6' },
          availability_zone: { type: 'string', minLength: 1, maxLength: 255, format: 'name' },
          block_device_mapping: { type: 'array' },
          block_device_mapping_v2: { type: 'array', items: blockDevice(v) },
          config_drive: booleanLike,
          key_name: { type: 'string', minLength: 1, maxLength: 255 },
          min_count: positiveIntLike,
          max_count: positiveIntLike,
          return_reservation_id: booleanLike,
          security_groups: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 255 } }, additionalProperties: false },
          },
          user_data: { type: 'string', format: 'base64', maxLength: 65535 },
          ...(v.lt('2.57') ? { personality } : {}),
          ...(v.ge('2.19') ? { description: descriptionString } : {}),
          ...(v.ge('2.52') ? { tags: { type: 'array', items: serverTag, maxItems: 50 } } : {}),
          ...(v.ge('2.63')
            ? { trusted_image_certificates: { type: ['array', 'null'], minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } } }
            : {}),
          ...(v.ge('2.74') ? { host: { type: 'string', minLength: 1, maxLength: 255 }, hypervisor_hostname: { type: 'string', minLength: 1, maxLength: 255 } } : {}),
          ...(v.ge('2.90') ? { hostname } : {}),
        },
        required: v.ge('2.37') ? ['name', 'flavorRef', 'networks'] : ['name', 'flavorRef'],
        additionalProperties: false,
      },
      'os:scheduler_hints': { type: 'object' },
      'OS-SCH-HNT:scheduler_hints': { type: 'object' },
    },
    required: ['server'],
    additionalProperties: false,
  };
}

/** `PUT /servers/{id}`. */
export function serverUpdateSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      server: {
        type: 'object',
        properties: {
          name: nameString,
          'OS-DCF:diskConfig': diskConfig,
          accessIPv4: { type: 'string', format: 'ipv4' },
          accessIPv6: { type: 'string', format: 'ipv6' },
          ...(v.ge('2.19') ? { description: descriptionString } : {}),
          ...(v.ge('2.90') ? { hostname } : {}),
        },
        additionalProperties: false,
      },
    },
    required: ['server'],
    additionalProperties: false,
  };
}
