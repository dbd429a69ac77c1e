import { booleanSchema, keyValueSchema, type Schema } from '../validation.js';

const description: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };

export const typeCreateSchema: Schema = {
  type: 'object',
  properties: {
    volume_type: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        description,
        'os-volume-type-access:is_public': booleanSchema,
        extra_specs: keyValueSchema,
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
        description,
        is_public: booleanSchema,
      },
      additionalProperties: false,
    },
  },
  required: ['volume_type'],
  additionalProperties: false,
};

export const extraSpecsSchema: Schema = {
  type: 'object',
  properties: { extra_specs: keyValueSchema },
  required: ['extra_specs'],
  additionalProperties: false,
};

export const typeAccessSchema = (action: string): Schema => ({
  type: 'object',
  properties: {
    [action]: {
      type: 'object',
      properties: { project: { type: 'string', minLength: 1, maxLength: 255 } },
      required: ['project'],
      additionalProperties: false,
    },
  },
  required: [action],
  additionalProperties: false,
});
