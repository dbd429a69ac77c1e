// Request body schemas of the simulated Nova, per microversion where the accepted fields change.
import type { ApiVersion } from './apiutil.js';
import { booleanLike, metadataMap, nameString, nonNegativeIntOrDigits, optionalDescription, positiveIntOrDigits, type Schema } from './validate.js';

const uuidString: Schema = { type: 'string', format: 'uuid' };
const imageRef: Schema = {
  oneOf: [
    { type: 'string', format: 'uuid' },
    { type: 'string', maxLength: 0 },
  ],
};
const flavorRef: Schema = { type: ['string', 'integer'], minLength: 1 };
const ipAddress: Schema = { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
const accessIPv4: Schema = { type: 'string', format: 'ipv4' };
const accessIPv6: Schema = { type: 'string', format: 'ipv6' };
const diskConfig: Schema = { type: 'string', enum: ['AUTO', 'MANUAL'] };
export const serverTag: Schema = { type: 'string', minLength: 1, maxLength: 60, pattern: '^[^,/]*$' };
const hostname: Schema = { type: 'string', minLength: 2, maxLength: 255, pattern: '^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$' };
const userData: Schema = { type: 'string', format: 'base64', maxLength: 65535 };
const personality: Schema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { path: { type: 'string' }, contents: { type: 'string', format: 'base64' } },
    additionalProperties: false,
  },
};

function bdmV2(v: ApiVersion): Schema {
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

export function serverCreateSchema(v: ApiVersion): Schema {
  const network: Schema = {
    type: 'object',
    properties: {
      fixed_ip: ipAddress,
      port: { type: ['string', 'null'], format: 'uuid' },
      uuid: { type: 'string' },
      ...(v.ge('2.32') ? { tag: serverTag } : {}),
    },
    additionalProperties: false,
  };
  const networkList: Schema = { type: 'array', items: network };
  const server: Schema = {
    type: 'object',
    properties: {
      name: nameString,
      imageRef,
      flavorRef,
      adminPass: { type: 'string' },
      metadata: metadataMap,
      networks: v.ge('2.37') ? { oneOf: [networkList, { type: 'string', enum: ['none', 'auto'] }] } : networkList,
      'OS-DCF:diskConfig': diskConfig,
      accessIPv4,
      accessIPv6,
      availability_zone: { type: 'string', minLength: 1, maxLength: 255 },
      block_device_mapping: { type: 'array' },
      block_device_mapping_v2: { type: 'array', items: bdmV2(v) },
      config_drive: booleanLike,
      key_name: { type: 'string', minLength: 1, maxLength: 255 },
      min_count: positiveIntOrDigits,
      max_count: positiveIntOrDigits,
      return_reservation_id: booleanLike,
      security_groups: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 255 } }, additionalProperties: false },
      },
      user_data: userData,
      ...(v.lt('2.57') ? { personality } : {}),
      ...(v.ge('2.19') ? { description: optionalDescription } : {}),
      ...(v.ge('2.52') ? { tags: { type: 'array', items: serverTag, maxItems: 50 } } : {}),
      ...(v.ge('2.63') ? { trusted_image_certificates: { type: ['array', 'null'], minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } } } : {}),
      ...(v.ge('2.74') ? { host: { type: 'string', minLength: 1, maxLength: 255 }, hypervisor_hostname: { type: 'string', minLength: 1, maxLength: 255 } } : {}),
      ...(v.ge('2.90') ? { hostname } : {}),
    },
    required: v.ge('2.37') ? ['name', 'flavorRef', 'networks'] : ['name', 'flavorRef'],
    additionalProperties: false,
  };
  return {
    type: 'object',
    properties: {
      server,
      'os:scheduler_hints': { type: 'object' },
      'OS-SCH-HNT:scheduler_hints': { type: 'object' },
    },
    required: ['server'],
    additionalProperties: false,
  };
}

export function serverUpdateSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      server: {
        type: 'object',
        properties: {
          name: nameString,
          'OS-DCF:diskConfig': diskConfig,
          accessIPv4,
          accessIPv6,
          ...(v.ge('2.19') ? { description: optionalDescription } : {}),
          ...(v.ge('2.90') ? { hostname } : {}),
        },
        additionalProperties: false,
      },
    },
    required: ['server'],
    additionalProperties: false,
  };
}

export function rebuildSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      imageRef,
      name: nameString,
      adminPass: { type: 'string' },
      metadata: metadataMap,
      preserve_ephemeral: { type: 'boolean' },
      'OS-DCF:diskConfig': diskConfig,
      accessIPv4,
      accessIPv6,
      ...(v.lt('2.57') ? { personality } : {}),
      ...(v.ge('2.19') ? { description: optionalDescription } : {}),
      ...(v.ge('2.54') ? { key_name: { type: ['string', 'null'], minLength: 1, maxLength: 255 } } : {}),
      ...(v.ge('2.57') ? { user_data: { type: ['string', 'null'], format: 'base64', maxLength: 65535 } } : {}),
      ...(v.ge('2.63') ? { trusted_image_certificates: { type: ['array', 'null'] } } : {}),
      ...(v.ge('2.90') ? { hostname } : {}),
    },
    required: ['imageRef'],
    additionalProperties: false,
  };
}

export const resizeSchema: Schema = {
  type: 'object',
  properties: { flavorRef, 'OS-DCF:diskConfig': diskConfig },
  required: ['flavorRef'],
  additionalProperties: false,
};

export const rebootSchema: Schema = {
  type: 'object',
  properties: { type: { type: 'string', enum: ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'] } },
  required: ['type'],
  additionalProperties: false,
};

export const createImageSchema: Schema = {
  type: 'object',
  properties: { name: nameString, metadata: { type: 'object', additionalProperties: { type: 'string', maxLength: 255 } } },
  required: ['name'],
  additionalProperties: false,
};

export const createBackupSchema: Schema = {
  type: 'object',
  properties: {
    name: nameString,
    backup_type: { type: 'string' },
    rotation: nonNegativeIntOrDigits,
    metadata: { type: 'object', additionalProperties: { type: 'string', maxLength: 255 } },
  },
  required: ['name', 'backup_type', 'rotation'],
  additionalProperties: false,
};

export const resetStateSchema: Schema = {
  type: 'object',
  properties: { state: { type: 'string', enum: ['active', 'error'] } },
  required: ['state'],
  additionalProperties: false,
};

export const securityGroupActionSchema: Schema = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1 } },
  required: ['name'],
  additionalProperties: false,
};

export const consoleOutputSchema: Schema = {
  type: ['object', 'null'],
  properties: { length: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$' } },
  additionalProperties: false,
};

export function lockSchema(v: ApiVersion): Schema {
  return v.ge('2.73')
    ? { type: ['object', 'null'], properties: { locked_reason: { type: 'string', minLength: 1, maxLength: 255 } }, additionalProperties: false }
    : { type: ['object', 'null'] };
}

export const rescueSchema: Schema = {
  type: ['object', 'null'],
  properties: { adminPass: { type: 'string' }, rescue_image_ref: imageRef },
  additionalProperties: false,
};

export const changePasswordSchema: Schema = {
  type: 'object',
  properties: { adminPass: { type: 'string' } },
  required: ['adminPass'],
  additionalProperties: false,
};

export function unshelveSchema(v: ApiVersion): Schema {
  if (v.ge('2.91')) {
    return {
      type: ['object', 'null'],
      properties: { availability_zone: { type: ['string', 'null'] }, host: { type: 'string' } },
      additionalProperties: false,
    };
  }
  if (v.ge('2.77')) {
    return { type: ['object', 'null'], properties: { availability_zone: { type: 'string' } }, required: ['availability_zone'], additionalProperties: false };
  }
  return { type: 'null' };
}

export const migrateLiveSchema: Schema = {
  type: 'object',
  properties: {
    host: { type: ['string', 'null'] },
    block_migration: { type: ['boolean', 'string'] },
    disk_over_commit: booleanLike,
    force: booleanLike,
  },
  required: ['host'],
  additionalProperties: false,
};

export const metadataAllSchema: Schema = {
  type: 'object',
  properties: { metadata: metadataMap },
  required: ['metadata'],
  additionalProperties: false,
};

export const metadataItemSchema: Schema = {
  type: 'object',
  properties: { meta: { ...metadataMap, minProperties: 1, maxProperties: 1 } },
  required: ['meta'],
  additionalProperties: false,
};

export const tagsSchema: Schema = {
  type: 'object',
  properties: { tags: { type: 'array', items: serverTag } },
  required: ['tags'],
  additionalProperties: false,
};

export function interfaceAttachSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      interfaceAttachment: {
        type: 'object',
        properties: {
          net_id: uuidString,
          port_id: uuidString,
          fixed_ips: {
            type: 'array',
            minItems: 1,
            maxItems: 1,
            items: { type: 'object', properties: { ip_address: ipAddress }, required: ['ip_address'], additionalProperties: false },
          },
          ...(v.ge('2.49') ? { tag: serverTag } : {}),
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  };
}

export function volumeAttachSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      volumeAttachment: {
        type: 'object',
        properties: {
          volumeId: uuidString,
          device: { type: ['string', 'null'], pattern: '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$' },
          ...(v.ge('2.49') ? { tag: serverTag } : {}),
          ...(v.ge('2.79') ? { delete_on_termination: booleanLike } : {}),
        },
        required: ['volumeId'],
        additionalProperties: false,
      },
    },
    required: ['volumeAttachment'],
    additionalProperties: false,
  };
}

export function volumeUpdateSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      volumeAttachment: {
        type: 'object',
        properties: {
          volumeId: uuidString,
          ...(v.ge('2.85')
            ? {
                device: { type: ['string', 'null'] },
                id: uuidString,
                serverId: uuidString,
                tag: serverTag,
                delete_on_termination: booleanLike,
              }
            : {}),
        },
        required: ['volumeId'],
        additionalProperties: false,
      },
    },
    required: ['volumeAttachment'],
    additionalProperties: false,
  };
}

export function flavorCreateSchema(v: ApiVersion): Schema {
  return {
    type: 'object',
    properties: {
      flavor: {
        type: 'object',
        properties: {
          name: nameString,
          id: { type: ['string', 'null'], minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$' },
          ram: positiveIntOrDigits,
          vcpus: positiveIntOrDigits,
          disk: nonNegativeIntOrDigits,
          'OS-FLV-EXT-DATA:ephemeral': nonNegativeIntOrDigits,
          swap: nonNegativeIntOrDigits,
          rxtx_factor: { type: ['number', 'string'], pattern: '^[0-9]+(\\.[0-9]+)?$', minimum: 0 },
          'os-flavor-access:is_public': booleanLike,
          ...(v.ge('2.55') ? { description: { type: ['string', 'null'], minLength: 0, maxLength: 65535 } } : {}),
        },
        required: ['name', 'ram', 'vcpus', 'disk'],
        additionalProperties: false,
      },
    },
    required: ['flavor'],
    additionalProperties: false,
  };
}

export const flavorUpdateSchema: Schema = {
  type: 'object',
  properties: {
    flavor: {
      type: 'object',
      properties: { description: { type: ['string', 'null'], minLength: 0, maxLength: 65535 } },
      required: ['description'],
      additionalProperties: false,
    },
  },
  required: ['flavor'],
  additionalProperties: false,
};

const extraSpecKey = '^[a-zA-Z0-9-_:. ]{1,255}$';
export const extraSpecsSchema: Schema = {
  type: 'object',
  properties: {
    extra_specs: {
      type: 'object',
      patternProperties: { [extraSpecKey]: { type: ['string', 'number', 'boolean'], minLength: 0, maxLength: 255 } },
      additionalProperties: false,
    },
  },
  required: ['extra_specs'],
  additionalProperties: false,
};

export const extraSpecItemSchema: Schema = {
  type: 'object',
  patternProperties: { [extraSpecKey]: { type: ['string', 'number', 'boolean'], minLength: 0, maxLength: 255 } },
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
};

export const flavorAccessSchema = (action: string): Schema => ({
  type: 'object',
  properties: {
    [action]: {
      type: 'object',
      properties: { tenant: { type: 'string', minLength: 1, maxLength: 255 } },
      required: ['tenant'],
      additionalProperties: false,
    },
  },
  required: [action],
  additionalProperties: false,
});

export function keypairCreateSchema(v: ApiVersion): Schema {
  const name: Schema = v.ge('2.92')
    ? { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9 @._-]+$' }
    : { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9 _-]+(?<! )$' };
  return {
    type: 'object',
    properties: {
      keypair: {
        type: 'object',
        properties: {
          name,
          public_key: { type: 'string' },
          ...(v.ge('2.2') ? { type: { type: 'string', enum: ['ssh', 'x509'] } } : {}),
          ...(v.ge('2.10') ? { user_id: { type: 'string' } } : {}),
        },
        required: v.ge('2.92') ? ['name', 'public_key'] : ['name'],
        additionalProperties: false,
      },
    },
    required: ['keypair'],
    additionalProperties: false,
  };
}

export function quotaUpdateSchema(v: ApiVersion): Schema {
  const limit: Schema = { type: ['integer', 'string'], pattern: '^-?[0-9]+$', minimum: -1 };
  const keys = ['instances', 'cores', 'ram', 'key_pairs', 'metadata_items', 'server_groups', 'server_group_members'];
  if (v.lt('2.57')) keys.push('injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes');
  if (v.lt('2.36')) keys.push('fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules', 'networks');
  const props: Record<string, Schema> = { force: booleanLike };
  for (const k of keys) props[k] = limit;
  return {
    type: 'object',
    properties: { quota_set: { type: 'object', properties: props, additionalProperties: false } },
    required: ['quota_set'],
    additionalProperties: false,
  };
}
