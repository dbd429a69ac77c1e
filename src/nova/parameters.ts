import { Type, anyType, keyedMap, nullable } from '../gateway/index.js';

// Parameter types shared by several compute request bodies (upstream's nova/api/validation/parameter_types).

export const nameString = Type.String({ minLength: 1, maxLength: 255, format: 'name' });
export const descriptionString = nullable(Type.String({ minLength: 0, maxLength: 255, format: 'description' }));

const BOOLEAN_SPELLINGS = [
  true,
  'True',
  'TRUE',
  'true',
  '1',
  'ON',
  'On',
  'on',
  'YES',
  'Yes',
  'yes',
  'y',
  't',
  false,
  'False',
  'FALSE',
  'false',
  '0',
  'OFF',
  'Off',
  'off',
  'NO',
  'No',
  'no',
  'n',
  'f',
];
export const booleanLike = anyType(['boolean', 'string'], { enum: BOOLEAN_SPELLINGS });

export const positiveIntLike = anyType(['integer', 'string'], { pattern: '^[0-9]*$', minimum: 1, minLength: 1 });
export const nonNegativeIntLike = anyType(['integer', 'string'], { pattern: '^[0-9]*$', minimum: 0, minLength: 1 });
export const uuidString = Type.String({ format: 'uuid' });
export const metadataMap = keyedMap('^[a-zA-Z0-9-_:. ]{1,255}$', Type.String({ maxLength: 255 }));
export const serverTag = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^,/]*$' });

/** A booleanLike value as a boolean. */
export function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes', 'y', 't'].includes(v.toLowerCase()));
}
