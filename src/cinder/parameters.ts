import { Type, anyType, keyedMap, nullable } from '../gateway/index.js';

// Parameter types shared by several block-storage request bodies (upstream's cinder/api/validation/parameter_types).

/** Cinder's accepted spellings of a boolean. */
export const BOOLEAN_VALUES = [
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
] as const;

export const booleanLike = anyType(['boolean', 'string'], { enum: [...BOOLEAN_VALUES] });
export const nullableBooleanLike = anyType(['boolean', 'string', 'null'], { enum: [...BOOLEAN_VALUES, null] });

/** A boolean-like value as a boolean (after validation with booleanLike). */
export function toBoolean(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['true', '1', 'on', 'yes', 'y', 't'].includes(value.toLowerCase()));
}

/** Metadata and extra specs: keys of 1..255 letters, digits and `-_:. /`, string values up to 255. */
export const keyValueMap = keyedMap('^[a-zA-Z0-9-_:. /]{1,255}$', Type.String({ maxLength: 255 }));
export const nullableKeyValueMap = nullable(keyValueMap);

export const nameOrNull = nullable(Type.String({ minLength: 0, maxLength: 255 }));
export const uuidOrNull = nullable(Type.String({ format: 'uuid' }));
